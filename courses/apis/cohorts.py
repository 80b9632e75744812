"""Tenant API: cohorts and learning paths (issue 14 item 10). Instructors and administrators manage them;
learners read the published paths and enrol in them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.accounts.models import User
from mooc_platform.i18n import LANGUAGE_CODES
from mooc_platform.permissions import IsCourseStaff, IsTenantMember

from ..models import Cohort, CohortCourse, CohortMember, CohortPath, Course, LearningPath
from ..selectors import cohorts as cohort_selectors
from ..selectors import paths as path_selectors
from ..services import cohorts as cohort_services
from ..services import paths as path_services
from .common import ID

# --- Cohorts ----------------------------------------------------------------------------------------------------


class CohortOutput(serializers.ModelSerializer):
    members_count = serializers.IntegerField(read_only=True, default=0)
    courses_count = serializers.IntegerField(read_only=True, default=0)
    paths_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Cohort
        fields = ["id", "name", "created_at", "members_count", "courses_count", "paths_count"]


class CohortNameInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class CohortListCreateApi(ListAPIView):
    """The organisation's cohorts; POST `{"name"}` creates one."""

    permission_classes = [IsCourseStaff]
    serializer_class = CohortOutput

    def get_queryset(self) -> QuerySet[Cohort]:
        return cohort_selectors.cohorts_list()

    @extend_schema(request=CohortNameInput, responses={201: CohortOutput})
    def post(self, request: Request) -> Response:
        data = CohortNameInput(data=request.data)
        data.is_valid(raise_exception=True)
        cohort = cohort_services.cohort_create(name=data.validated_data["name"], actor=request.user)
        return Response(CohortOutput(cohort_selectors.cohorts_list().get(pk=cohort.pk)).data,
                        status=status.HTTP_201_CREATED)


class CohortDetailApi(APIView):
    """A cohort: read, rename (PATCH `{"name"}`), delete (its members keep their enrolments)."""

    permission_classes = [IsCourseStaff]

    @extend_schema(responses=CohortOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(CohortOutput(get_object_or_404(cohort_selectors.cohorts_list(), pk=pk)).data)

    @extend_schema(request=CohortNameInput, responses=CohortOutput)
    def patch(self, request: Request, pk: int) -> Response:
        cohort = get_object_or_404(Cohort, pk=pk)
        data = CohortNameInput(data=request.data)
        data.is_valid(raise_exception=True)
        cohort_services.cohort_rename(cohort=cohort, name=data.validated_data["name"], actor=request.user)
        return Response(CohortOutput(cohort_selectors.cohorts_list().get(pk=pk)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        cohort_services.cohort_delete(cohort=get_object_or_404(Cohort, pk=pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CohortMemberOutput(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = CohortMember
        fields = ["user", "email", "full_name", "added_at"]


class CohortMembersAddOutput(serializers.Serializer):
    added = serializers.ListField(child=serializers.IntegerField(), help_text="The users added now (ids).")
    members_count = serializers.IntegerField()


class CohortMembersApi(ListAPIView):
    """The cohort's members; POST `{"users": [id, …]}` adds existing active users (and enrols them in the
    cohort's courses and paths)."""

    permission_classes = [IsCourseStaff]
    serializer_class = CohortMemberOutput

    class InputSerializer(serializers.Serializer):
        users = serializers.ListField(child=serializers.IntegerField(**ID), max_length=500)

    def get_queryset(self) -> QuerySet[CohortMember]:
        return cohort_selectors.cohort_members(cohort=get_object_or_404(Cohort, pk=self.kwargs["pk"]))

    @extend_schema(request=InputSerializer, responses={200: CohortMembersAddOutput})
    def post(self, request: Request, pk: int) -> Response:
        cohort = get_object_or_404(Cohort, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        users = list(User.objects.filter(pk__in=data.validated_data["users"]))
        added = cohort_services.cohort_members_add(cohort=cohort, users=users, actor=request.user)
        return Response(CohortMembersAddOutput({"added": sorted(u.pk for u in added),
                                                "members_count": cohort.memberships.count()}).data)


class CohortMemberDeleteApi(APIView):
    """Take a user out of the cohort (their enrolments stay)."""

    permission_classes = [IsCourseStaff]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        cohort = get_object_or_404(Cohort, pk=pk)
        user = get_object_or_404(User, pk=user_id, cohort_memberships__cohort=cohort)
        cohort_services.cohort_member_remove(cohort=cohort, user=user, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CohortImportRowOutput(serializers.Serializer):
    line = serializers.IntegerField()
    email = serializers.CharField()
    action = serializers.ChoiceField(choices=["added", "already", "error"])
    error = serializers.CharField()


class CohortImportOutput(serializers.Serializer):
    summary = serializers.DictField(child=serializers.IntegerField())
    rows = CohortImportRowOutput(many=True)


class CohortImportApi(APIView):
    """POST `{"csv": "email\\n…"}`: the CSV's known active users become members; each line is reported."""

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        csv = serializers.CharField(max_length=2 * 1024 * 1024, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=CohortImportOutput)
    def post(self, request: Request, pk: int) -> Response:
        cohort = get_object_or_404(Cohort, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = cohort_services.cohort_members_import(cohort=cohort, csv_text=data.validated_data["csv"],
                                                       actor=request.user)
        return Response(CohortImportOutput({"summary": report.summary(), "rows": report.rows}).data)


class CohortCourseOutput(serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title")
    enrolled = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = CohortCourse
        fields = ["id", "course", "course_title", "starts_on", "ends_on", "enrolled", "created_at"]


class CohortCoursesApi(ListAPIView):
    """The courses the cohort is enrolled in; POST `{"course", "starts_on", "ends_on"}` enrols every member (dates
    optional, inclusive, Paris time: outside them the lessons are closed to the cohort's learners)."""

    permission_classes = [IsCourseStaff]
    serializer_class = CohortCourseOutput

    class InputSerializer(serializers.Serializer):
        course = serializers.IntegerField(**ID)
        starts_on = serializers.DateField(required=False, allow_null=True)
        ends_on = serializers.DateField(required=False, allow_null=True)

    def get_queryset(self) -> QuerySet[CohortCourse]:
        return cohort_selectors.cohort_courses(cohort=get_object_or_404(Cohort, pk=self.kwargs["pk"]))

    @extend_schema(request=InputSerializer, responses={201: CohortCourseOutput})
    def post(self, request: Request, pk: int) -> Response:
        cohort = get_object_or_404(Cohort, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = get_object_or_404(Course, pk=data.validated_data["course"])
        cohort_course, _made = cohort_services.cohort_course_enrol(
            cohort=cohort, course=course, starts_on=data.validated_data.get("starts_on"),
            ends_on=data.validated_data.get("ends_on"), actor=request.user)
        return Response(CohortCourseOutput(cohort_selectors.cohort_courses(cohort=cohort).get(pk=cohort_course.pk))
                        .data, status=status.HTTP_201_CREATED)


class CohortPathOutput(serializers.ModelSerializer):
    path_title = serializers.CharField(source="path.title")

    class Meta:
        model = CohortPath
        fields = ["id", "path", "path_title", "created_at"]


class CohortPathsApi(ListAPIView):
    """The learning paths the cohort is enrolled in; POST `{"path"}` enrols every member in a published path."""

    permission_classes = [IsCourseStaff]
    serializer_class = CohortPathOutput

    class InputSerializer(serializers.Serializer):
        path = serializers.IntegerField(**ID)

    def get_queryset(self) -> QuerySet[CohortPath]:
        return cohort_selectors.cohort_paths(cohort=get_object_or_404(Cohort, pk=self.kwargs["pk"]))

    @extend_schema(request=InputSerializer, responses={201: CohortPathOutput})
    def post(self, request: Request, pk: int) -> Response:
        cohort = get_object_or_404(Cohort, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        path = get_object_or_404(LearningPath, pk=data.validated_data["path"])
        cohort_path, _made = path_services.cohort_path_enrol(cohort=cohort, path=path, actor=request.user)
        return Response(CohortPathOutput(cohort_path).data, status=status.HTTP_201_CREATED)


# --- Learning paths ---------------------------------------------------------------------------------------------


class PathStepOutput(serializers.Serializer):
    course = serializers.IntegerField(source="course.pk")
    title = serializers.CharField(source="course.title")
    slug = serializers.CharField(source="course.slug")


class PathOutput(serializers.ModelSerializer):
    courses_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = LearningPath
        fields = ["id", "title", "slug", "summary", "language", "status", "created_at", "courses_count"]


class PathInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False)


class PathListCreateApi(ListAPIView):
    """Learning paths: every path for instructors and administrators, the published ones for learners. POST
    `{"title", "summary", "language"}` (staff) creates a draft path."""

    permission_classes = [IsTenantMember]
    serializer_class = PathOutput

    def get_queryset(self) -> QuerySet[LearningPath]:
        if self.request.user.is_course_staff:
            return path_selectors.paths_list()
        return path_selectors.paths_published()

    @extend_schema(request=PathInput, responses={201: PathOutput})
    def post(self, request: Request) -> Response:
        if not request.user.is_course_staff:
            self.permission_denied(request)
        data = PathInput(data=request.data)
        data.is_valid(raise_exception=True)
        path = path_services.path_create(actor=request.user, **data.validated_data)
        return Response(PathOutput(path).data, status=status.HTTP_201_CREATED)


class PathProgressOutput(serializers.Serializer):
    course = serializers.IntegerField(source="course.pk")
    title = serializers.CharField(source="course.title")
    slug = serializers.CharField(source="course.slug")
    enrolled = serializers.BooleanField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    certified = serializers.BooleanField()


class PathDetailOutput(serializers.Serializer):
    path = PathOutput()
    enrolled = serializers.BooleanField()
    steps = PathProgressOutput(many=True)
    next_course = serializers.IntegerField(allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    certificate = serializers.IntegerField(allow_null=True)


class PathDetailApi(APIView):
    """A path with the requester's progress in each course, the next course to take and the path's certificate;
    PATCH (staff) changes its title, summary or language; DELETE (staff) deletes it (courses and certificates
    stay)."""

    permission_classes = [IsTenantMember]

    @extend_schema(responses=PathDetailOutput)
    def get(self, request: Request, pk: int) -> Response:
        path = get_object_or_404(path_selectors.paths_visible(user=request.user), pk=pk)
        progress = path_selectors.path_progress(path=path, user=request.user)
        return Response(PathDetailOutput({
            "path": path, "enrolled": progress.enrollment is not None, "steps": progress.steps,
            "next_course": progress.next_step.course.pk if progress.next_step else None,
            "percent": progress.percent, "certificate": progress.certificate.pk if progress.certificate else None,
        }).data)

    @extend_schema(request=PathInput(partial=True), responses=PathOutput)
    def patch(self, request: Request, pk: int) -> Response:
        if not request.user.is_course_staff:
            self.permission_denied(request)
        path = get_object_or_404(LearningPath, pk=pk)
        data = PathInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        path_services.path_update(path=path, actor=request.user, **data.validated_data)
        return Response(PathOutput(path).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        if not request.user.is_course_staff:
            self.permission_denied(request)
        path_services.path_delete(path=get_object_or_404(LearningPath, pk=pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PathCoursesApi(APIView):
    """The path's courses in order; PUT `{"courses": [id, …]}` sets them (added, removed and reordered to match)."""

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        courses = serializers.ListField(child=serializers.IntegerField(**ID), max_length=200)

    @extend_schema(responses=PathStepOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        path = get_object_or_404(LearningPath, pk=pk)
        return Response(PathStepOutput(path_selectors.path_steps(path=path), many=True).data)

    @extend_schema(request=InputSerializer, responses=PathStepOutput(many=True))
    def put(self, request: Request, pk: int) -> Response:
        path = get_object_or_404(LearningPath, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = list(dict.fromkeys(data.validated_data["courses"]))
        courses = {c.pk: c for c in Course.objects.filter(pk__in=wanted)}
        path_services.path_courses_set(path=path, courses=[courses[pk] for pk in wanted if pk in courses],
                                       actor=request.user)
        return Response(PathStepOutput(path_selectors.path_steps(path=path), many=True).data)


class PathPublishApi(APIView):
    """POST publishes the path (every course published first); DELETE takes it back to draft."""

    permission_classes = [IsCourseStaff]

    @extend_schema(request=None, responses={200: PathOutput})
    def post(self, request: Request, pk: int) -> Response:
        path = path_services.path_publish(path=get_object_or_404(LearningPath, pk=pk), actor=request.user)
        return Response(PathOutput(path_selectors.paths_list().get(pk=path.pk)).data)

    @extend_schema(request=None, responses={200: PathOutput})
    def delete(self, request: Request, pk: int) -> Response:
        path = path_services.path_unpublish(path=get_object_or_404(LearningPath, pk=pk), actor=request.user)
        return Response(PathOutput(path_selectors.paths_list().get(pk=path.pk)).data)


class PathEnrolApi(APIView):
    """POST enrols me in the published path and in each of its courses."""

    permission_classes = [IsTenantMember]

    @extend_schema(request=None, responses={201: PathOutput, 200: PathOutput})
    def post(self, request: Request, pk: int) -> Response:
        path = get_object_or_404(path_selectors.paths_published(), pk=pk)
        _enrollment, created = path_services.path_enrol(path=path, user=request.user)
        return Response(PathOutput(path).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
