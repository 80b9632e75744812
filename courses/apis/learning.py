"""Tenant API: enrolments, progress, quiz attempts and course analytics."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.accounts.models import User
from mooc_platform.errors import ForbiddenError
from mooc_platform.permissions import IsCourseStaff, IsTenantMember

from .. import selectors, services
from ..models import Certificate, Enrollment, QuizAttempt
from .authoring import CourseOutput, QuestionOutput
from .common import ID, _course_for, _lesson_for, _lesson_readable_for


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
            if not request.user.is_course_staff:
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


class VideoProgressApi(APIView):
    """Where the learner is in a video lesson and which parts they played (the player sends it every few
    seconds); once the parts played cover 90 % of the duration, the lesson is completed."""

    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        position = serializers.FloatField(min_value=0, max_value=86_400, help_text="Seconds from the start.")
        duration = serializers.FloatField(min_value=0, max_value=86_400, help_text="The video's length in seconds.")
        segments = serializers.ListField(
            child=serializers.ListField(child=serializers.FloatField(min_value=0, max_value=86_400), min_length=2,
                                        max_length=2),
            required=False, max_length=500, help_text="[start, end] seconds played since the page opened.")

    @extend_schema(request=InputSerializer, responses=inline_serializer("VideoProgress", {
        "position": serializers.FloatField(), "watched": serializers.FloatField(),
        "completed": serializers.BooleanField(), "certificate": serializers.CharField(allow_null=True)}))
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        progress, certificate, completed = services.video_progress_record(
            lesson=_lesson_readable_for(request, pk), user=request.user, **data.validated_data)
        return Response({"position": progress.position_seconds, "watched": progress.watched_seconds,
                         "completed": completed, "certificate": certificate.code if certificate else None})


class QuizAttemptStartApi(APIView):
    """Open an attempt: returns the questions (never the answers) and when it expires."""

    permission_classes = [IsTenantMember]

    @extend_schema(request=None, responses=dict)
    def post(self, request: Request, pk: int) -> Response:
        lesson = _lesson_readable_for(request, pk)
        attempt = services.quiz_attempt_start(lesson=lesson, user=request.user)
        questions = services.quiz_questions(lesson=lesson, question_ids=attempt.question_ids)
        expires_at = selectors.quiz_attempt_expiry_effective(attempt=attempt)  # maintenance time given back
        return Response({"id": attempt.pk, "number": attempt.number, "expires_at": expires_at,
                         "questions": QuestionOutput(questions, many=True).data}, status=status.HTTP_201_CREATED)


class QuizAttemptSubmitApi(APIView):
    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        """`answers` by question id: `[choice ids]` (single, multiple, true/false), `"text"` (short text),
        `"3,14"` or a number (numeric), `{"<item id>": <picked option id>}` (matching)."""

        answers = serializers.DictField(child=serializers.JSONField())

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


class QuizAttemptReviewApi(APIView):
    """My attempt: its score, and once submitted the review of each question (right or wrong, the options
    chosen, their feedback, the explanation) when the quiz allows it; the expected answers once no attempt is
    left or the deadline passed."""

    permission_classes = [IsTenantMember]

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        attempt = get_object_or_404(QuizAttempt.objects.select_related("lesson"), pk=pk, user=request.user)
        lesson = attempt.lesson
        body: dict[str, Any] = {"id": attempt.pk, "lesson": lesson.pk, "number": attempt.number,
                                "submitted_at": attempt.submitted_at,
                                "score": str(attempt.score) if attempt.score is not None else None,
                                "review_allowed": lesson.review_allowed, "questions": None}
        if attempt.submitted_at is None or not lesson.review_allowed:
            return Response(body)
        used = QuizAttempt.objects.filter(lesson=lesson, user=request.user).count()
        deadline = selectors.quiz_deadline_effective(lesson=lesson)
        reveal = bool(lesson.max_attempts and used >= lesson.max_attempts) or bool(deadline and timezone.now()
                                                                                     > deadline)
        questions = services.quiz_questions(lesson=lesson, question_ids=attempt.question_ids)
        body["questions"] = [{
            "id": r.question.pk, "text": r.question.text, "kind": r.question.kind, "right": r.right,
            "answer": attempt.answers.get(str(r.question.pk)),
            "chosen": [c.choice.pk for c in r.choices if c.chosen] if r.question.kind != "matching" else None,
            "feedback": r.feedback, "explanation": r.question.explanation,
            "expected": r.expected if reveal else None,
        } for r in services.attempt_review(questions=questions, answers=attempt.answers)]
        return Response(body)


class CourseAnalyticsApi(APIView):
    permission_classes = [IsCourseStaff]

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
