"""Reads of enrolments, progress, quizzes and course analytics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django_tenants.utils import schema_context

from maintenance.selectors import maintenance_deadline_extended, maintenance_windows_overlapping
from mooc_platform.accounts.models import User

from ..models import Certificate, Course, CourseInvitation, Enrollment, Lesson, LessonCompletion, QuizAttempt
from .catalogue import CatalogueFilters, courses_search

HUNDRED = Decimal("100")
# Completions of lessons still in the course (not in the bin): what progress counts (issue 14 item 5).
COMPLETIONS_LIVE = Q(completions__lesson__deleted_at__isnull=True, completions__lesson__module__deleted_at__isnull=True)


def score_of_course(*, best: Mapping[int, Decimal | None], quiz_ids: Sequence[int]) -> Decimal:
    """The course score rule, one copy for the certificate decision and the analytics: the mean of
    the learner's best submitted score on each quiz (`best`, by quiz id; a quiz never taken counts 0),
    to the hundredth, half up; 100 when the course has no quiz."""
    if not quiz_ids:
        return HUNDRED.quantize(Decimal("0.01"))
    total = sum((best.get(q) or Decimal("0")) for q in quiz_ids)
    return (Decimal(total) / len(quiz_ids)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def progress_percent(*, done: int, total: int) -> Decimal:
    """Lessons completed out of `total`, in % to the tenth, half up (0 for a course without lessons)."""
    if not total:
        return Decimal("0.0")
    return (Decimal(done * 100) / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def course_score(*, course: Course, user: User) -> Decimal:
    """The learner's course score (`score_of_course`)."""
    quiz_ids = list(Lesson.objects.filter(module__course=course, kind=Lesson.Kind.QUIZ).values_list("id", flat=True))
    best = dict(QuizAttempt.objects.filter(lesson_id__in=quiz_ids, user=user, submitted_at__isnull=False)
                .values("lesson_id").annotate(best=Max("score")).values_list("lesson_id", "best")) if quiz_ids else {}
    return score_of_course(best=best, quiz_ids=quiz_ids)


def courses_catalogue(*, user: User, filters: CatalogueFilters | None = None) -> QuerySet[Course]:
    """Published courses, with the learner's own enrolment flag, the lesson count, category and cover,
    narrowed to `filters` (search, category, language; `courses.selectors.catalogue`)."""
    courses = (Course.objects.filter(status=Course.Status.PUBLISHED).select_related("category", "cover")
               .annotate(is_enrolled=Exists(Enrollment.objects.filter(course=OuterRef("pk"), user=user)),
                         is_invited=Exists(CourseInvitation.objects.filter(course=OuterRef("pk"), email=user.email)),
                         lesson_count=Count("modules__lessons", distinct=True, filter=Q(
                             modules__deleted_at__isnull=True, modules__lessons__deleted_at__isnull=True)))
               .order_by("title", "id"))
    return courses_search(courses=courses, filters=filters) if filters else courses


def lesson_ids_completed(*, enrollment: Enrollment | None) -> set[int]:
    if enrollment is None:
        return set()
    return set(LessonCompletion.objects.filter(enrollment=enrollment, lesson__deleted_at__isnull=True,
                                               lesson__module__deleted_at__isnull=True)
               .values_list("lesson_id", flat=True))


def enrollments_of(*, user: User) -> QuerySet[Enrollment]:
    """The user's enrolments with progress figures annotated (lessons total and completed)."""
    return (Enrollment.objects.filter(user=user).select_related("course")
            .annotate(lessons_total=Count("course__modules__lessons", distinct=True, filter=Q(
                          course__modules__deleted_at__isnull=True, course__modules__lessons__deleted_at__isnull=True)),
                      lessons_done=Count("completions", distinct=True, filter=COMPLETIONS_LIVE))
            .order_by("-created_at", "id"))


def course_analytics(*, course: Course) -> dict[str, Any]:
    """Enrolments, completion and pass rates, and the learners' progress table (constant queries)."""
    lessons_total = Lesson.objects.filter(module__course=course).count()
    quiz_ids = list(Lesson.objects.filter(module__course=course, kind=Lesson.Kind.QUIZ).values_list("id", flat=True))
    enrollments = list(Enrollment.objects.filter(course=course).select_related("user")
                       .annotate(lessons_done=Count("completions", distinct=True, filter=COMPLETIONS_LIVE))
                       .order_by("user__email"))
    best: dict[int, dict[int, Decimal]] = {}
    for user_id, lesson_id, score in (QuizAttempt.objects.filter(lesson_id__in=quiz_ids, submitted_at__isnull=False)
                                      .values("user_id", "lesson_id").annotate(best=Max("score"))
                                      .values_list("user_id", "lesson_id", "best")):
        best.setdefault(user_id, {})[lesson_id] = score
    certified = set(Certificate.objects.filter(course=course).values_list("user_id", flat=True))
    rows = []
    for e in enrollments:
        score = score_of_course(best=best.get(e.user_id, {}), quiz_ids=quiz_ids)
        progress = progress_percent(done=e.lessons_done, total=lessons_total)
        rows.append({"email": e.user.email, "full_name": e.user.full_name, "enrolled_at": e.created_at,
                     "lessons_done": e.lessons_done, "lessons_total": lessons_total, "progress": progress,
                     "score": score, "completed": e.completed_at is not None, "certified": e.user_id in certified})
    count = len(rows)
    completed = sum(1 for r in rows if r["completed"])
    passed = sum(1 for r in rows if r["certified"])

    def rate(n: int) -> Decimal:
        return (Decimal(n * 100) / count).quantize(Decimal("0.1")) if count else Decimal("0.0")

    return {"course": course, "enrollments": count, "completed": completed, "passed": passed,
            "completion_rate": rate(completed), "pass_rate": rate(passed), "rows": rows}


def quiz_maintenance_clash(*, lesson: Lesson, now: datetime) -> Any:
    """The maintenance window a timed quiz started now would run into, or None (GCS art. 8: the
    learner is warned before starting)."""
    if not lesson.time_limit_minutes:
        return None
    end = now + timedelta(minutes=lesson.time_limit_minutes)
    if lesson.deadline and lesson.deadline < end:
        end = lesson.deadline
    return maintenance_windows_overlapping(schema_name=connection.schema_name, start=now, end=end).first()


# --- The quiz clock stops during maintenance (issue 9 item 6, GCS art. 8) ------------------------------
# A learner whose attempt or deadline falls in a maintenance window of the organisation gets the lost time
# back after it instead of a 0. The windows are read through `maintenance.selectors` only (SPEC §2).
# `QuizAttempt.expires_at` keeps the limit as set when the attempt opened; the effective limit is computed
# whenever it matters (start, submit, the lesson page), so a window scheduled later still counts.


def quiz_deadline_effective(*, lesson: Lesson) -> datetime | None:
    """The lesson's deadline, moved later by the maintenance it falls into (None: no deadline)."""
    if lesson.deadline is None:
        return None
    return maintenance_deadline_extended(schema_name=connection.schema_name, deadline=lesson.deadline)


def quiz_attempt_expiry_effective(*, attempt: QuizAttempt) -> datetime | None:
    """When the attempt's time is really up: its limit, moved later by every minute of maintenance between
    its start and that limit (None: no limit)."""
    if attempt.expires_at is None:
        return None
    return maintenance_deadline_extended(schema_name=connection.schema_name, deadline=attempt.expires_at,
                                         since=attempt.started_at)


def quiz_deadlines_between_across_tenants(*, schema_names: list[str], start: datetime, end: datetime
                                          ) -> list[dict[str, Any]]:
    """Quiz deadlines inside [start, end) in each of the tenant schemas `schema_names` (crosses tenants:
    the maintenance app's reader of `MAINTENANCE_QUIZ_DEADLINES_READER`, for the operator)."""
    rows: list[dict[str, Any]] = []
    for schema_name in schema_names:
        with schema_context(schema_name):
            # Only the columns named here: a schema still one migration behind (a rolling migration in a
            # window) answers as long as these exist. Hence `all_objects`: the bin's filter names `deleted_at`,
            # which such a schema may not have yet (a quiz in the bin is listed; its deadline no longer matters).
            lessons = (Lesson.all_objects.filter(kind=Lesson.Kind.QUIZ, deadline__gte=start, deadline__lt=end)
                       .order_by("deadline", "id")
                       .values("pk", "title", "deadline", "module__course_id", "module__course__title"))
            rows.extend({"schema_name": schema_name, "course_id": lesson["module__course_id"],
                         "course_title": lesson["module__course__title"], "lesson_id": lesson["pk"],
                         "lesson_title": lesson["title"], "deadline": lesson["deadline"]} for lesson in lessons)
    return rows
