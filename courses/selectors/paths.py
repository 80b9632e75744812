"""Reads of learning paths (issue 14 item 10): lists and a learner's progress in a path, in a fixed number of
queries whatever the number of paths or courses."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from mooc_platform.accounts.models import User

from ..models import Certificate, Course, Enrollment, LearningPath, LearningPathCourse, Lesson, PathEnrollment
from .learning import progress_percent


def paths_list() -> QuerySet[LearningPath]:
    """Every path (staff), with its number of courses and learners."""
    return LearningPath.objects.annotate(courses_count=Count("steps", distinct=True),
                                         learners_count=Count("enrollments", distinct=True)).order_by("title", "id")


def paths_published() -> QuerySet[LearningPath]:
    return (LearningPath.objects.filter(status=LearningPath.Status.PUBLISHED)
            .annotate(courses_count=Count("steps", distinct=True)).order_by("title", "id"))


def path_steps(*, path: LearningPath) -> QuerySet[LearningPathCourse]:
    return LearningPathCourse.objects.filter(path=path).select_related("course").order_by("position", "id")


def paths_visible(*, user: User) -> QuerySet[LearningPath]:
    """The paths `user` may open: every path for the organisation's staff, the published ones for learners."""
    if user.is_authenticated and user.is_course_staff:
        return LearningPath.objects.all()
    return LearningPath.objects.filter(status=LearningPath.Status.PUBLISHED)


@dataclass
class PathStep:
    course: Course
    enrolled: bool
    lessons_done: int
    lessons_total: int
    percent: Decimal
    certified: bool


@dataclass
class PathProgress:
    path: LearningPath
    enrollment: PathEnrollment | None
    steps: list[PathStep] = field(default_factory=list)
    certificate: Certificate | None = None

    @property
    def next_step(self) -> PathStep | None:
        """The first course of the path whose certificate is not earned yet."""
        return next((s for s in self.steps if not s.certified), None)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.certified)

    @property
    def percent(self) -> Decimal:
        return progress_percent(done=self.done, total=len(self.steps))


def path_progress(*, path: LearningPath, user: User) -> PathProgress:
    """The path as `user` sees it: each course with their progress and certificate, the next course to take, the
    path's certificate. Six queries."""
    steps = list(path_steps(path=path))
    course_ids = [s.course_id for s in steps]
    enrollment = PathEnrollment.objects.filter(path=path, user=user).first() if user.is_authenticated else None
    enrolments: dict[int, Enrollment] = {}
    certified: set[int] = set()
    certificate = None
    if user.is_authenticated:
        enrolments = {e.course_id: e for e in Enrollment.objects.filter(user=user, course_id__in=course_ids)
                      .annotate(lessons_done=Count("completions", distinct=True))}
        certificates = list(Certificate.objects.filter(Q(course_id__in=course_ids) | Q(path=path), user=user))
        certified = {c.course_id for c in certificates if c.course_id}
        certificate = next((c for c in certificates if c.path_id == path.pk and c.for_path), None)
    totals = dict(Lesson.objects.filter(module__course_id__in=course_ids).values("module__course_id")
                  .annotate(n=Count("id")).values_list("module__course_id", "n"))
    progress = PathProgress(path=path, enrollment=enrollment, certificate=certificate)
    for step in steps:
        e = enrolments.get(step.course_id)
        done, total = (e.lessons_done if e else 0), totals.get(step.course_id, 0)
        progress.steps.append(PathStep(course=step.course, enrolled=e is not None, lessons_done=done,
                                       lessons_total=total, percent=progress_percent(done=done, total=total),
                                       certified=step.course_id in certified))
    return progress
