"""Tenant API: courses, modules, lessons and questions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import ForbiddenError
from mooc_platform.http import client_ip
from mooc_platform.i18n import LANGUAGE_CODES
from mooc_platform.permissions import IsCourseStaff, IsTenantMember

from .. import selectors, services
from ..models import Category, Choice, Course, Lesson, Module, Question
from .common import ID, _course_for, _lesson_for, _lesson_readable_for


class CourseOutput(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "title", "slug", "summary", "language", "licence", "pass_mark", "visibility", "status",
                  "category", "duration_minutes", "starts_on", "ends_on"]


class CategoryOutput(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class CatalogueCourseOutput(CourseOutput):
    """A course of the catalogue list: its category by name and a short-lived URL of its cover image."""

    category = CategoryOutput(allow_null=True)
    cover_url = serializers.SerializerMethodField()

    class Meta(CourseOutput.Meta):
        fields = [*CourseOutput.Meta.fields, "cover_url"]

    def get_cover_url(self, obj: Course) -> str | None:
        return services.cover_url(course=obj)


class CourseInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100)
    summary = serializers.CharField(required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False)
    licence = serializers.ChoiceField(choices=Course.Licence.choices, required=False)
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)
    visibility = serializers.ChoiceField(choices=Course.Visibility.choices, required=False)
    category = serializers.IntegerField(required=False, allow_null=True, **ID)
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100_000)
    starts_on = serializers.DateField(required=False, allow_null=True, help_text="First day of the course.")
    ends_on = serializers.DateField(required=False, allow_null=True,
                                    help_text="Last day of the course (not before `starts_on`).")


class CourseListApi(ListAPIView):
    """List the courses (staff see drafts); instructors and administrators create them.

    `?q=` searches titles, summaries and categories (accents and case ignored, French and English stemming:
    "resume" finds "Résumé"), best matches first; `?category=<slug>` and `?language=en|fr` filter."""

    serializer_class = CatalogueCourseOutput
    permission_classes = [IsTenantMember]

    def get_queryset(self) -> QuerySet[Course]:
        params = self.request.query_params
        filters = selectors.catalogue_filters_clean(q=params.get("q", ""), category=params.get("category", ""),
                                                    language=params.get("language", ""))
        courses = selectors.courses_visible(user=self.request.user).select_related("category", "cover")
        return selectors.courses_search(courses=courses, filters=filters)

    @extend_schema(parameters=[
        OpenApiParameter("q", str, description="Words to search for (accents and case ignored, FR/EN stemming)."),
        OpenApiParameter("category", str, description="A category's slug."),
        OpenApiParameter("language", str, enum=list(LANGUAGE_CODES), description="The course's language.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CourseInput, responses={201: CourseOutput})
    def post(self, request: Request) -> Response:
        if not request.user.is_course_staff:
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
    """A question as a learner sees it during an attempt (never which answer is right). A matching question's
    `choices` are its left-hand items and `match_options` the right-hand ones to pair them with, by id."""

    choices = ChoiceOutput(many=True)
    match_options = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "text", "kind", "choices", "match_options"]

    def get_match_options(self, obj: Question) -> list[dict[str, Any]]:
        if obj.kind != Question.Kind.MATCHING:
            return []
        return [{"id": pk, "text": text} for pk, text in obj.match_options]


class StaffChoiceOutput(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text", "is_correct", "match_text", "feedback"]


class StaffQuestionOutput(serializers.ModelSerializer):
    """A question with its answers, as instructors write it."""

    choices = StaffChoiceOutput(many=True)

    class Meta:
        model = Question
        fields = ["id", "lesson", "position", "text", "kind", "explanation", "choices", "accepted_answers",
                  "numeric_answer", "numeric_tolerance"]


class LessonOutput(serializers.ModelSerializer):
    """A lesson; its body is null when the serializer's context says the reader may not read it
    (`selectors.course_content_readable`: outlines are public to members, contents are not)."""

    has_media = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "title", "kind", "position", "body_html", "has_media", "max_attempts", "time_limit_minutes",
                  "deadline", "review_allowed", "draw_count"]

    def get_has_media(self, obj: Lesson) -> bool:
        return obj.media_id is not None

    def get_body_html(self, obj: Lesson) -> str | None:
        return obj.body_html if self.context.get("content_readable", True) else None


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
            readable = selectors.course_content_readable(user=self.context["request"].user, course=obj)
            return ModuleOutput(selectors.course_outline(course=obj), many=True,
                                context={"content_readable": readable}).data

    class UpdateSerializer(CourseInput):
        title = serializers.CharField(max_length=200, required=False)
        slug = serializers.SlugField(max_length=100, required=False)
        cover_upload_id = serializers.IntegerField(
            required=False, allow_null=True, help_text="A confirmed `cover` upload (resized to 1200×675 JPEG); "
            "null removes the cover.", **ID)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.OutputSerializer(_course_for(request, pk), context={"request": request}).data)

    @extend_schema(request=UpdateSerializer, responses=OutputSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        if not request.user.is_course_staff:
            raise ForbiddenError("Only instructors and administrators can do this.")
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        course = _course_for(request, pk)
        if "cover_upload_id" in fields:
            upload_id = fields.pop("cover_upload_id")
            if upload_id is None:
                services.course_cover_remove(course=course, actor=request.user)
            else:
                services.course_cover_set(course=course, actor=request.user, upload_id=upload_id)
            course.refresh_from_db()
        course = services.course_update(course=course, actor=request.user, **fields)
        return Response(self.OutputSerializer(course, context={"request": request}).data)

    @extend_schema(parameters=[OpenApiParameter("confirm", bool, description="Required when learners are "
                                                "enrolled (else 409 confirmation_required).")],
                   responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        if not request.user.is_course_staff:
            raise ForbiddenError("Only instructors and administrators can do this.")
        confirm = request.query_params.get("confirm", "").lower() in ("1", "true", "yes")
        services.course_delete(course=_course_for(request, pk), actor=request.user, confirm=confirm,
                               ip_address=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CoursePublishApi(APIView):
    permission_classes = [IsCourseStaff]

    @extend_schema(request=None, responses=CourseOutput)
    def post(self, request: Request, pk: int) -> Response:
        return Response(CourseOutput(services.course_publish(course=_course_for(request, pk),
                                                             actor=request.user)).data)


class CourseUnpublishApi(APIView):
    permission_classes = [IsCourseStaff]

    @extend_schema(request=None, responses=CourseOutput)
    def post(self, request: Request, pk: int) -> Response:
        return Response(CourseOutput(services.course_unpublish(course=_course_for(request, pk),
                                                               actor=request.user)).data)


class CourseInvitationsApi(APIView):
    """Invite e-mails to a SPOC."""

    permission_classes = [IsCourseStaff]

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

    permission_classes = [IsCourseStaff]

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

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        direction = serializers.ChoiceField(choices=["up", "down"])

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.lesson_move(lesson=get_object_or_404(Lesson, pk=pk), up=data.validated_data["direction"] == "up")
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModuleCreateApi(APIView):
    permission_classes = [IsCourseStaff]

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
    draw_count = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000, default=None,
                                          help_text="Quiz: questions drawn at random for each attempt (null: all).")


class LessonCreateApi(APIView):
    permission_classes = [IsCourseStaff]

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
        draw_count = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000)
        review_allowed = serializers.BooleanField(required=False)

    @extend_schema(responses=LessonOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(LessonOutput(_lesson_readable_for(request, pk)).data)

    @extend_schema(request=UpdateSerializer, responses=LessonOutput)
    def patch(self, request: Request, pk: int) -> Response:
        if not request.user.is_course_staff:
            raise ForbiddenError("Only instructors and administrators can do this.")
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        lesson = services.lesson_update(lesson=_lesson_for(request, pk), **data.validated_data)
        return Response(LessonOutput(lesson).data)

    @extend_schema(responses={204: None}, description="Puts the lesson in the bin: `restore/` brings it back for "
                   "30 days, then it is deleted for good with its media.")
    def delete(self, request: Request, pk: int) -> Response:
        if not request.user.is_course_staff:
            raise ForbiddenError("Only instructors and administrators can do this.")
        services.lesson_delete(lesson=_lesson_for(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionInput(serializers.Serializer):
    """A question of any kind. `choices`: single, multiple and true/false options (`is_correct`, `feedback`),
    or matching pairs (`text` ↔ `match_text`); `accepted_answers`: short text; `numeric_answer` ±
    `numeric_tolerance`: numeric."""

    class ChoiceInput(serializers.Serializer):
        text = serializers.CharField(max_length=500, allow_blank=True)
        is_correct = serializers.BooleanField(default=False)
        feedback = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        match_text = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    text = serializers.CharField(max_length=5000)
    kind = serializers.ChoiceField(choices=Question.Kind.choices, default=Question.Kind.SINGLE)
    choices = ChoiceInput(many=True, required=False, default=list)
    explanation = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    accepted_answers = serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                             default=list, max_length=50)
    numeric_answer = serializers.DecimalField(max_digits=24, decimal_places=8, required=False, allow_null=True,
                                              default=None)
    numeric_tolerance = serializers.DecimalField(max_digits=24, decimal_places=8, min_value=0, required=False,
                                                 default=0)


class QuestionCreateApi(APIView):
    permission_classes = [IsCourseStaff]

    @extend_schema(request=QuestionInput, responses={201: StaffQuestionOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = QuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_create(lesson=_lesson_for(request, pk), **data.validated_data)
        return Response(StaffQuestionOutput(question).data, status=status.HTTP_201_CREATED)


def _question_for(pk: int) -> Question:
    return get_object_or_404(Question.objects.prefetch_related("choices"), pk=pk)


class QuestionDetailApi(APIView):
    """Read, rewrite (PUT: every field, the choices replaced) or delete a question (instructors)."""

    permission_classes = [IsCourseStaff]

    @extend_schema(responses=StaffQuestionOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(StaffQuestionOutput(_question_for(pk)).data)

    @extend_schema(request=QuestionInput, responses=StaffQuestionOutput)
    def put(self, request: Request, pk: int) -> Response:
        question = _question_for(pk)
        data = QuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_update(question=question, **data.validated_data)
        return Response(StaffQuestionOutput(_question_for(question.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.question_delete(question=_question_for(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionMoveApi(APIView):
    """Move a question one place up or down in its quiz (`{"direction": "up"|"down"}`)."""

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        direction = serializers.ChoiceField(choices=["up", "down"])

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.question_move(question=_question_for(pk), up=data.validated_data["direction"] == "up")
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryListCreateApi(ListAPIView):
    """The catalogue's categories; instructors and administrators add them (`{"name"}`)."""

    permission_classes = [IsTenantMember]
    serializer_class = CategoryOutput

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.categories_used()

    @extend_schema(request=InputSerializer, responses={201: CategoryOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_create(actor=request.user, name=data.validated_data["name"])
        return Response(CategoryOutput(category).data, status=status.HTTP_201_CREATED)


# --- Authoring (issue 14 item 5): rename, reorder, the bin, duplicate, the editor's preview ------------------


class ModuleDetailApi(APIView):
    """Rename a module (PATCH) or put it in the bin with its lessons (DELETE; `restore/` brings it back for 30
    days, then it is deleted for good with its media)."""

    permission_classes = [IsCourseStaff]

    class UpdateSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)

    @extend_schema(request=UpdateSerializer, responses=ModuleOutput)
    def patch(self, request: Request, pk: int) -> Response:
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        module = services.module_rename(module=get_object_or_404(Module, pk=pk), title=data.validated_data["title"])
        return Response(ModuleOutput(module).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.module_delete(module=get_object_or_404(Module, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModuleRestoreApi(APIView):
    """Take a module (and its lessons) out of the bin, within 30 days of its deletion."""

    permission_classes = [IsCourseStaff]

    @extend_schema(request=None, responses=ModuleOutput)
    def post(self, request: Request, pk: int) -> Response:
        module = services.module_restore(module=get_object_or_404(Module.all_objects, pk=pk,
                                                                  deleted_at__isnull=False))
        return Response(ModuleOutput(module).data)


class LessonRestoreApi(APIView):
    """Take a lesson out of the bin, within 30 days of its deletion (its module must not be in the bin)."""

    permission_classes = [IsCourseStaff]

    @extend_schema(request=None, responses=LessonOutput)
    def post(self, request: Request, pk: int) -> Response:
        lesson = services.lesson_restore(lesson=get_object_or_404(Lesson.all_objects, pk=pk,
                                                                  deleted_at__isnull=False))
        return Response(LessonOutput(lesson).data)


class ModuleOrderApi(APIView):
    """Reorder a course's modules (the course builder's drag and drop): every module's id, in the new order."""

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        module_ids = serializers.ListField(child=serializers.IntegerField(**ID), max_length=1000)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.module_order_set(course=_course_for(request, pk), module_ids=data.validated_data["module_ids"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonOrderApi(APIView):
    """Reorder a module's lessons (the course builder's drag and drop): every lesson's id, in the new order."""

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        lesson_ids = serializers.ListField(child=serializers.IntegerField(**ID), max_length=1000)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.lesson_order_set(module=get_object_or_404(Module, pk=pk), lesson_ids=data.validated_data["lesson_ids"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseDuplicateApi(APIView):
    """A draft copy of the course under a new title and slug: its settings, modules, lessons, quiz questions and
    media (copied in storage server-side and counted in the quota; images in the texts point to the copies).
    Learners, attempts, discussions and certificates are not copied, nor what is in the bin."""

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        slug = serializers.SlugField(max_length=100)

    @extend_schema(request=InputSerializer, responses={201: CourseOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_duplicate(course=_course_for(request, pk), actor=request.user,
                                           **data.validated_data)
        return Response(CourseOutput(course).data, status=status.HTTP_201_CREATED)


class MarkdownPreviewApi(APIView):
    """The lesson editor's live preview: Markdown rendered and sanitised exactly as a lesson shows it."""

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        markdown = serializers.CharField(allow_blank=True, max_length=services.MARKDOWN_PREVIEW_MAX_CHARS,
                                         trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        html = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"html": services.markdown_preview(text=data.validated_data["markdown"])})
