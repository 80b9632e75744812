"""Tenant API (SPEC §4): thin views over services and selectors, one class per action."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError, ForbiddenError, NotFoundError
from mooc_platform.permissions import IsInstructorOrAdministrator, IsTenantAdministrator, IsTenantMember

from . import selectors, services
from .models import Certificate, Choice, Course, Enrollment, Lesson, MediaUpload, Module, Post, Question, QuizAttempt

# Ids sent in bodies stay within PostgreSQL's bigint: bad input is a 400, never a 500.
ID: dict[str, int] = {"min_value": 1, "max_value": 2**63 - 1}


def _is_staff(user: User) -> bool:
    return services.is_staff_member(user)


def _course_for(request: Request, pk: int) -> Course:
    return get_object_or_404(selectors.courses_visible(user=request.user), pk=pk)


def _lesson_for(request: Request, pk: int) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("module__course", "media"), pk=pk)
    if lesson.module.course.status != Course.Status.PUBLISHED and not _is_staff(request.user):
        raise NotFoundError("No such lesson.") from None
    return lesson


# --- Users ------------------------------------------------------------------------------------------


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "language", "is_active", "date_joined"]


class UserListCreateApi(ListAPIView):
    """Administrators list the organisation's users and invite new ones by e-mail (SPEC R2)."""

    permission_classes = [IsTenantAdministrator]
    serializer_class = UserOutput

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        full_name = serializers.CharField(required=False, allow_blank=True, default="")
        role = serializers.CharField(default=User.Role.LEARNER)
        language = serializers.ChoiceField(choices=["en", "fr"], required=False)

    def get_queryset(self) -> QuerySet[User]:
        return selectors.users_list()

    @extend_schema(request=InputSerializer, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, _token = services.user_invite(base_url=request.build_absolute_uri("/"), invited_by=request.user,
                                            **data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class UserDeactivateApi(APIView):
    permission_classes = [IsTenantAdministrator]

    @extend_schema(request=None, responses=UserOutput)
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(selectors.users_list(), pk=pk)
        return Response(UserOutput(services.user_deactivate(user=user, actor=request.user)).data)


class UserInvitationResendApi(APIView):
    """Send a new one-time link to a user who has not set a password yet."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(request=None, responses={202: None})
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(selectors.users_list(), pk=pk)
        services.user_invitation_resend(user=user, base_url=request.build_absolute_uri("/"))
        return Response(status=status.HTTP_202_ACCEPTED)


class UserReactivateApi(APIView):
    permission_classes = [IsTenantAdministrator]

    @extend_schema(request=None, responses=UserOutput)
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(selectors.users_list(), pk=pk)
        return Response(UserOutput(services.user_reactivate(user=user, actor=request.user)).data)


def import_report_data(report: services.ImportReport) -> dict[str, Any]:
    return {"applied": report.applied, "summary": report.summary(),
            "rows": [{"line": r.line, "email": r.email, "action": r.action, "role": r.role,
                      "full_name": r.full_name, "changes": r.changes, "errors": r.errors} for r in report.rows]}


class UserImportApi(APIView):
    """CSV import (columns email, full_name, role, language). `apply=false` (default) previews what
    would happen; `apply=true` does it. Send the file as `file` (multipart) or the text as `csv`."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(required=False)
        csv = serializers.CharField(required=False, trim_whitespace=False)
        apply = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses=dict)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("file") is not None:
            raw = data.validated_data["file"].read(2 * 1024 * 1024 + 1)
            if len(raw) > 2 * 1024 * 1024:
                raise ApplicationError("The CSV file is larger than 2 MB.", code="csv_invalid")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
        elif data.validated_data.get("csv"):
            text = data.validated_data["csv"]
        else:
            raise ApplicationError("Send a CSV file (`file`) or its text (`csv`).", code="csv_invalid")
        if data.validated_data["apply"]:
            report = services.users_import_apply(csv_text=text, actor=request.user,
                                                 base_url=request.build_absolute_uri("/"))
        else:
            report = services.users_import_preview(csv_text=text)
        return Response(import_report_data(report))


# --- Courses ------------------------------------------------------------------------------------------


class CourseOutput(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "title", "slug", "summary", "language", "licence", "pass_mark", "visibility", "status"]


class CourseInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100)
    summary = serializers.CharField(required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=["en", "fr"], required=False)
    licence = serializers.ChoiceField(choices=Course.Licence.choices, required=False)
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)
    visibility = serializers.ChoiceField(choices=Course.Visibility.choices, required=False)


class CourseListApi(ListAPIView):
    """List the courses (staff see drafts); instructors and administrators create them."""

    serializer_class = CourseOutput
    permission_classes = [IsTenantMember]

    def get_queryset(self) -> QuerySet[Course]:
        return selectors.courses_visible(user=self.request.user)

    @extend_schema(request=CourseInput, responses={201: CourseOutput})
    def post(self, request: Request) -> Response:
        if not _is_staff(request.user):
            raise ForbiddenError("Only instructors and administrators can do this.")
        data = CourseInput(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_create(actor=request.user, **data.validated_data)
        return Response(CourseOutput(course).data, status=status.HTTP_201_CREATED)


class ChoiceOutput(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text"]


class QuestionOutput(serializers.ModelSerializer):
    choices = ChoiceOutput(many=True)

    class Meta:
        model = Question
        fields = ["id", "text", "kind", "choices"]


class LessonOutput(serializers.ModelSerializer):
    has_media = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "title", "kind", "position", "body_html", "has_media", "max_attempts", "time_limit_minutes",
                  "deadline"]

    def get_has_media(self, obj: Lesson) -> bool:
        return obj.media_id is not None


class ModuleOutput(serializers.ModelSerializer):
    lessons = LessonOutput(many=True)

    class Meta:
        model = Module
        fields = ["id", "title", "position", "lessons"]


class CourseDetailApi(APIView):
    permission_classes = [IsTenantMember]

    class OutputSerializer(CourseOutput):
        modules = serializers.SerializerMethodField()

        class Meta(CourseOutput.Meta):
            fields = [*CourseOutput.Meta.fields, "modules"]

        def get_modules(self, obj: Course) -> list[dict[str, Any]]:
            return ModuleOutput(selectors.course_outline(course=obj), many=True).data

    class UpdateSerializer(CourseInput):
        title = serializers.CharField(max_length=200, required=False)
        slug = serializers.SlugField(max_length=100, required=False)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.OutputSerializer(_course_for(request, pk)).data)

    @extend_schema(request=UpdateSerializer, responses=OutputSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        if not _is_staff(request.user):
            raise ForbiddenError("Only instructors and administrators can do this.")
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        course = services.course_update(course=_course_for(request, pk), actor=request.user, **data.validated_data)
        return Response(self.OutputSerializer(course).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        if not _is_staff(request.user):
            raise ForbiddenError("Only instructors and administrators can do this.")
        services.course_delete(course=_course_for(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CoursePublishApi(APIView):
    permission_classes = [IsInstructorOrAdministrator]

    @extend_schema(request=None, responses=CourseOutput)
    def post(self, request: Request, pk: int) -> Response:
        return Response(CourseOutput(services.course_publish(course=_course_for(request, pk),
                                                             actor=request.user)).data)


class CourseUnpublishApi(APIView):
    permission_classes = [IsInstructorOrAdministrator]

    @extend_schema(request=None, responses=CourseOutput)
    def post(self, request: Request, pk: int) -> Response:
        return Response(CourseOutput(services.course_unpublish(course=_course_for(request, pk),
                                                               actor=request.user)).data)


class CourseInvitationsApi(APIView):
    """Invite e-mails to a SPOC."""

    permission_classes = [IsInstructorOrAdministrator]

    class InputSerializer(serializers.Serializer):
        emails = serializers.ListField(child=serializers.EmailField(), max_length=5000)

    @extend_schema(request=InputSerializer, responses=dict)
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        added = services.course_invitations_add(course=_course_for(request, pk), emails=data.validated_data["emails"])
        return Response({"added": added})


class ModuleMoveApi(APIView):
    """Move a module one place up or down in its course (`{"direction": "up"|"down"}`)."""

    permission_classes = [IsInstructorOrAdministrator]

    class InputSerializer(serializers.Serializer):
        direction = serializers.ChoiceField(choices=["up", "down"])

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.module_move(module=get_object_or_404(Module, pk=pk), up=data.validated_data["direction"] == "up")
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonMoveApi(APIView):
    """Move a lesson one place up or down in its module (`{"direction": "up"|"down"}`)."""

    permission_classes = [IsInstructorOrAdministrator]

    class InputSerializer(serializers.Serializer):
        direction = serializers.ChoiceField(choices=["up", "down"])

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.lesson_move(lesson=get_object_or_404(Lesson, pk=pk), up=data.validated_data["direction"] == "up")
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModuleCreateApi(APIView):
    permission_classes = [IsInstructorOrAdministrator]

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)

    @extend_schema(request=InputSerializer, responses={201: ModuleOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        module = services.module_create(course=_course_for(request, pk), title=data.validated_data["title"])
        return Response(ModuleOutput(module).data, status=status.HTTP_201_CREATED)


class LessonInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Lesson.Kind.choices)
    body_markdown = serializers.CharField(required=False, allow_blank=True, default="")
    media_upload_id = serializers.IntegerField(required=False, allow_null=True, default=None, **ID)
    max_attempts = serializers.IntegerField(required=False, min_value=0, max_value=1000, default=3)
    time_limit_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10_000,
                                                  default=None)
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)


class LessonCreateApi(APIView):
    permission_classes = [IsInstructorOrAdministrator]

    @extend_schema(request=LessonInput, responses={201: LessonOutput})
    def post(self, request: Request, pk: int) -> Response:
        module = get_object_or_404(Module, pk=pk)
        data = LessonInput(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = services.lesson_create(module=module, **data.validated_data)
        return Response(LessonOutput(lesson).data, status=status.HTTP_201_CREATED)


class LessonDetailApi(APIView):
    permission_classes = [IsTenantMember]

    class UpdateSerializer(LessonInput):
        title = serializers.CharField(max_length=200, required=False)
        kind = None  # type: ignore[assignment]
        body_markdown = serializers.CharField(required=False, allow_blank=True)
        media_upload_id = serializers.IntegerField(required=False, allow_null=True, **ID)
        max_attempts = serializers.IntegerField(required=False, min_value=0, max_value=1000)
        time_limit_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10_000)
        deadline = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(responses=LessonOutput)
    def get(self, request: Request, pk: int) -> Response:
        lesson = _lesson_for(request, pk)
        if not _is_staff(request.user):  # lesson contents are for enrolled learners (SPOC confidentiality)
            services.enrollment_for(course=lesson.module.course, user=request.user)
        return Response(LessonOutput(lesson).data)

    @extend_schema(request=UpdateSerializer, responses=LessonOutput)
    def patch(self, request: Request, pk: int) -> Response:
        if not _is_staff(request.user):
            raise ForbiddenError("Only instructors and administrators can do this.")
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        lesson = services.lesson_update(lesson=_lesson_for(request, pk), **data.validated_data)
        return Response(LessonOutput(lesson).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        if not _is_staff(request.user):
            raise ForbiddenError("Only instructors and administrators can do this.")
        services.lesson_delete(lesson=_lesson_for(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonMediaApi(APIView):
    """A short-lived presigned GET URL for the lesson's video or file (enrolled learners and staff)."""

    permission_classes = [IsTenantMember]

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        lesson = _lesson_for(request, pk)
        if not _is_staff(request.user):
            services.enrollment_for(course=lesson.module.course, user=request.user)
        if lesson.media is None:
            raise NotFoundError("This lesson has no media.")
        url = services.media_download_url(upload=lesson.media, attachment=lesson.kind == Lesson.Kind.FILE)
        return Response({"url": url, "content_type": lesson.media.content_type, "filename": lesson.media.filename})


class QuestionCreateApi(APIView):
    permission_classes = [IsInstructorOrAdministrator]

    class InputSerializer(serializers.Serializer):
        class ChoiceInput(serializers.Serializer):
            text = serializers.CharField(max_length=500)
            is_correct = serializers.BooleanField(default=False)

        text = serializers.CharField()
        kind = serializers.ChoiceField(choices=Question.Kind.choices, default=Question.Kind.SINGLE)
        choices = ChoiceInput(many=True)

    @extend_schema(request=InputSerializer, responses={201: QuestionOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_create(
            lesson=_lesson_for(request, pk), text=data.validated_data["text"], kind=data.validated_data["kind"],
            choices=[(c["text"], c["is_correct"]) for c in data.validated_data["choices"]])
        return Response(QuestionOutput(question).data, status=status.HTTP_201_CREATED)


# --- Uploads ------------------------------------------------------------------------------------------


class UploadCreateApi(APIView):
    """Sign a browser PUT to S3 (type, size and the storage quota are checked first, SPEC R20).
    PUT the bytes to `url` with the `headers` given, then POST `confirm/`. Large files (above
    COURSES_MULTIPART_THRESHOLD) get `part_urls` instead: PUT consecutive slices of `part_size` bytes
    to each, then confirm."""

    permission_classes = [IsInstructorOrAdministrator]

    class InputSerializer(serializers.Serializer):
        purpose = serializers.ChoiceField(choices=MediaUpload.Purpose.choices)
        filename = serializers.CharField(max_length=200)
        content_type = serializers.CharField(max_length=100)
        size = serializers.IntegerField(min_value=1, max_value=2**62)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        key = serializers.CharField()
        url = serializers.CharField()
        headers = serializers.DictField(child=serializers.CharField())
        storage_warning = serializers.CharField(allow_null=True)
        part_size = serializers.IntegerField(allow_null=True)
        part_urls = serializers.ListField(child=serializers.CharField())

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["purpose"] == MediaUpload.Purpose.LOGO and not request.user.is_tenant_admin:
            raise ForbiddenError("Only administrators change the logo.")
        signed = services.media_upload_sign(actor=request.user, **data.validated_data)
        return Response({"id": signed.upload.pk, "key": signed.upload.key, "url": signed.url,
                         "headers": signed.headers, "storage_warning": signed.storage_warning,
                         "part_size": signed.part_size, "part_urls": signed.part_urls},
                        status=status.HTTP_201_CREATED)


class UploadConfirmApi(APIView):
    permission_classes = [IsInstructorOrAdministrator]

    @extend_schema(request=None, responses=dict)
    def post(self, request: Request, pk: int) -> Response:
        upload = get_object_or_404(MediaUpload, pk=pk)
        upload, warning = services.media_upload_confirm(upload=upload)
        return Response({"id": upload.pk, "size": upload.size, "storage_warning": warning})


# --- Learning -----------------------------------------------------------------------------------------


class EnrollmentOutput(serializers.ModelSerializer):
    course = CourseOutput()
    lessons_total = serializers.IntegerField()
    lessons_done = serializers.IntegerField()

    class Meta:
        model = Enrollment
        fields = ["id", "course", "created_at", "completed_at", "lessons_total", "lessons_done"]


class EnrollmentListCreateApi(ListAPIView):
    """My enrolments with progress; POST `{"course": id}` enrols me (MOOC: open; SPOC: invitation).
    Instructors and administrators may enrol someone else with `{"course", "user"}`."""

    permission_classes = [IsTenantMember]
    serializer_class = EnrollmentOutput

    class InputSerializer(serializers.Serializer):
        course = serializers.IntegerField(**ID)
        user = serializers.IntegerField(required=False, **ID)

    def get_queryset(self) -> QuerySet[Enrollment]:
        return selectors.enrollments_of(user=self.request.user)

    @extend_schema(request=InputSerializer, responses={201: EnrollmentOutput, 200: EnrollmentOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = _course_for(request, data.validated_data["course"])
        user = request.user
        if data.validated_data.get("user") and data.validated_data["user"] != request.user.pk:
            if not _is_staff(request.user):
                raise ForbiddenError("Only instructors and administrators enrol other users.")
            user = get_object_or_404(User, pk=data.validated_data["user"], is_active=True)
        enrollment, created = services.enrollment_create(course=course, user=user, actor=request.user)
        enrollment = selectors.enrollments_of(user=user).get(pk=enrollment.pk)
        return Response(EnrollmentOutput(enrollment).data, status=201 if created else 200)


class EnrollmentDetailApi(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        enrollment = get_object_or_404(selectors.enrollments_of(user=request.user), pk=pk)
        done = selectors.lesson_ids_completed(enrollment=enrollment)
        score = services.course_score(course=enrollment.course, user=request.user)
        return Response({**EnrollmentOutput(enrollment).data, "score": str(score),
                         "passed": score >= enrollment.course.pass_mark, "completed_lessons": sorted(done)})


class LessonCompleteApi(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(request=None, responses=dict)
    def post(self, request: Request, pk: int) -> Response:
        certificate = services.lesson_complete(lesson=_lesson_for(request, pk), user=request.user)
        return Response({"completed": True, "certificate": certificate.code if certificate else None})


class QuizAttemptStartApi(APIView):
    """Open an attempt: returns the questions (never the answers) and when it expires."""

    permission_classes = [IsTenantMember]

    @extend_schema(request=None, responses=dict)
    def post(self, request: Request, pk: int) -> Response:
        lesson = _lesson_for(request, pk)
        attempt = services.quiz_attempt_start(lesson=lesson, user=request.user)
        questions = Question.objects.filter(lesson=lesson).prefetch_related("choices")
        return Response({"id": attempt.pk, "number": attempt.number, "expires_at": attempt.expires_at,
                         "questions": QuestionOutput(questions, many=True).data}, status=status.HTTP_201_CREATED)


class QuizAttemptSubmitApi(APIView):
    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(
            child=serializers.ListField(child=serializers.IntegerField(**ID), max_length=100))

    @extend_schema(request=InputSerializer, responses=dict)
    def post(self, request: Request, pk: int) -> Response:
        attempt = get_object_or_404(QuizAttempt.objects.select_related("lesson__module__course"), pk=pk,
                                    user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = services.quiz_attempt_submit(attempt=attempt, user=request.user,
                                               answers=data.validated_data["answers"])
        course = attempt.lesson.module.course
        certificate = Certificate.objects.filter(course=course, user=request.user).first()
        return Response({"id": attempt.pk, "score": str(attempt.score),
                         "passed": attempt.score >= course.pass_mark,
                         "certificate": certificate.code if certificate else None})


# --- Certificates -------------------------------------------------------------------------------------


class CertificateOutput(serializers.ModelSerializer):
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["id", "code", "course_title", "holder_name", "score", "issued_at", "verify_url"]

    def get_verify_url(self, obj: Certificate) -> str:
        request = self.context.get("request")
        path = f"/certificates/verify/{obj.code}/"
        return request.build_absolute_uri(path) if request else path


class CertificateListApi(ListAPIView):
    """My certificates; `?all=1` lists every certificate of the organisation for its staff."""

    permission_classes = [IsTenantMember]
    serializer_class = CertificateOutput

    def get_queryset(self) -> QuerySet[Certificate]:
        if self.request.query_params.get("all") and _is_staff(self.request.user):
            return selectors.certificates_all()
        return selectors.certificates_of(user=self.request.user)


class CertificateDownloadApi(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        qs = selectors.certificates_all() if _is_staff(request.user) else selectors.certificates_of(user=request.user)
        certificate = get_object_or_404(qs, pk=pk)
        return Response({"url": services.certificate_download_url(certificate=certificate)})


class CertificateVerifyApi(APIView):
    """Public: is this verification code a certificate of this organisation?"""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=dict, auth=[])
    def get(self, request: Request, code: str) -> Response:
        certificate = selectors.certificate_by_code(code=code)
        if certificate is None:
            raise NotFoundError("No certificate has this verification code.")
        return Response({"valid": True, "code": certificate.code, "course_title": certificate.course_title,
                         "holder_name": certificate.holder_name if not certificate.holder_removed else None,
                         "holder_removed": certificate.holder_removed, "score": str(certificate.score),
                         "issued_at": certificate.issued_at, "organisation": certificate.organisation_name})


# --- Discussions --------------------------------------------------------------------------------------


class PostOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()
    open_reports = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Post
        fields = ["id", "parent", "author", "body", "created_at", "hidden", "open_reports"]

    def get_author(self, obj: Post) -> str:
        return (obj.author.full_name or obj.author.email) if obj.author else "Deleted user"

    def get_hidden(self, obj: Post) -> bool:
        return obj.hidden_at is not None


class ThreadOutput(PostOutput):
    replies = PostOutput(many=True)

    class Meta(PostOutput.Meta):
        fields = [*PostOutput.Meta.fields, "replies"]


class PostListCreateApi(APIView):
    """The course's forum: threads with replies. Posts appear at once (a posteriori moderation)."""

    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=10_000)
        parent = serializers.IntegerField(required=False, allow_null=True, **ID)

    @extend_schema(responses=ThreadOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        course = _course_for(request, pk)
        services.member_check(course=course, user=request.user)
        return Response(ThreadOutput(selectors.posts_of_course(course=course, viewer=request.user), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: PostOutput})
    def post(self, request: Request, pk: int) -> Response:
        course = _course_for(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent"):
            parent = get_object_or_404(Post, pk=data.validated_data["parent"], course=course)
        post = services.post_create(course=course, author=request.user, body=data.validated_data["body"],
                                    parent=parent)
        return Response(PostOutput(post).data, status=status.HTTP_201_CREATED)


class PostReportApi(APIView):
    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses={201: dict})
    def post(self, request: Request, pk: int) -> Response:
        post = get_object_or_404(Post.objects.select_related("course").filter(hidden_at__isnull=True), pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.post_report(post=post, reporter=request.user, reason=data.validated_data["reason"])
        return Response({"id": report.pk}, status=status.HTTP_201_CREATED)


class ReportListApi(ListAPIView):
    """The moderation queue (instructors and administrators)."""

    permission_classes = [IsInstructorOrAdministrator]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        reason = serializers.CharField()
        created_at = serializers.DateTimeField()
        reporter = serializers.SerializerMethodField()
        post = PostOutput()
        course = serializers.CharField(source="post.course.title")

        def get_reporter(self, obj: Any) -> str | None:
            return obj.reporter.email if obj.reporter else None

    serializer_class = OutputSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.reports_open()


class PostHideApi(APIView):
    permission_classes = [IsInstructorOrAdministrator]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=PostOutput)
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = get_object_or_404(Post.objects.select_related("course", "author"), pk=pk)
        return Response(PostOutput(services.post_hide(post=post, moderator=request.user,
                                                      reason=data.validated_data["reason"])).data)


class PostRestoreApi(APIView):
    permission_classes = [IsInstructorOrAdministrator]

    @extend_schema(request=None, responses=PostOutput)
    def post(self, request: Request, pk: int) -> Response:
        post = get_object_or_404(Post.objects.select_related("course", "author"), pk=pk)
        return Response(PostOutput(services.post_restore(post=post, moderator=request.user)).data)


# --- Branding, analytics, my data ----------------------------------------------------------------------


class BrandingApi(APIView):
    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False, allow_blank=True, max_length=200)
        primary_color = serializers.CharField(required=False, max_length=7)
        accent_color = serializers.CharField(required=False, max_length=7)
        default_language = serializers.ChoiceField(choices=["en", "fr"], required=False)
        logo_upload_id = serializers.IntegerField(required=False, allow_null=True, **ID)
        logo_remove = serializers.BooleanField(required=False, default=False)

    def _data(self) -> dict[str, Any]:
        branding = selectors.branding_current()
        return {"name": services.branding_display_name(),
                "primary_color": branding.primary_color if branding else "#1d4ed8",
                "accent_color": branding.accent_color if branding else "#f59e0b",
                "default_language": branding.default_language if branding else services.tenant_default_language(),
                "logo_url": services.media_download_url(upload=branding.logo) if branding and branding.logo else None}

    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        return Response(self._data())

    @extend_schema(request=InputSerializer, responses=dict)
    def put(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.branding_update(actor=request.user, **data.validated_data)
        return Response(self._data())


class CourseAnalyticsApi(APIView):
    permission_classes = [IsInstructorOrAdministrator]

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        stats = selectors.course_analytics(course=_course_for(request, pk))
        return Response({
            "course": stats["course"].pk, "enrollments": stats["enrollments"], "completed": stats["completed"],
            "passed": stats["passed"], "completion_rate": str(stats["completion_rate"]),
            "pass_rate": str(stats["pass_rate"]),
            "rows": [{**row, "enrolled_at": row["enrolled_at"].isoformat(), "progress": str(row["progress"]),
                      "score": str(row["score"])} for row in stats["rows"]],
        })


class MyDataExportApi(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        response = Response(services.user_data_export(user=request.user))
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response


class MyAccountDeleteApi(APIView):
    """Delete my account (password required): posts anonymised, certificates kept as "holder removed"."""

    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not request.user.check_password(data.validated_data["password"]):
            raise ApplicationError("Wrong password.", code="invalid_credentials")
        services.user_account_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _component_names_set() -> None:
    """Give every nested Input/Output serializer a unique OpenAPI component name
    (`CourseDetailOutput`, …): nested classes share their short names across views."""
    for view in list(globals().values()):
        if isinstance(view, type) and issubclass(view, APIView):
            for attr in ("InputSerializer", "OutputSerializer", "UpdateSerializer"):
                serializer = view.__dict__.get(attr)
                if serializer is not None:
                    name = view.__name__.removesuffix("Api") + attr.removesuffix("Serializer")
                    extend_schema_serializer(component_name=name)(serializer)


_component_names_set()
