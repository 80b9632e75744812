"""The learner's home (issue 14 item 1): where to continue, my courses with their progress, the deadlines
coming (also as an iCalendar feed) and the certificates earned. A fixed number of queries, whatever the
number of courses, lessons or deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max
from django.utils.crypto import constant_time_compare, salted_hmac

from maintenance.selectors import maintenance_deadlines_extended
from mooc_platform.accounts.models import User
from mooc_platform.business_time import platform_tz

from ..models import Certificate, Course, Enrollment, Lesson, LessonCompletion
from .learning import COMPLETIONS_LIVE, progress_percent

# How far ahead the home page looks for deadlines (the calendar feed has no horizon).
DEADLINE_HORIZON = timedelta(days=60)
HOME_DEADLINES_SHOWN = 8


@dataclass(frozen=True)
class Deadline:
    """A date a learner must not miss: a quiz closing (`lesson` set; `when` already moved by maintenance,
    GCS art. 8) or the last day of a course (`when` is the end of that day, Paris time)."""

    kind: str  # "quiz" or "course_end"
    when: datetime
    course: Course
    lesson: Lesson | None = None

    @property
    def uid(self) -> str:
        target = f"lesson-{self.lesson.pk}" if self.lesson else f"course-{self.course.pk}"
        return f"{connection.schema_name}-{self.kind}-{target}@{settings.PLATFORM_DOMAIN}"


@dataclass
class MyCourse:
    enrollment: Enrollment
    course: Course
    lessons_done: int
    lessons_total: int
    percent: Decimal
    certified: bool
    next_lesson: Lesson | None = None


@dataclass
class LearnerHome:
    resume: MyCourse | None
    courses: list[MyCourse] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)


def learner_home(*, user: User, now: datetime) -> LearnerHome:
    """Everything the home page shows a learner, in six queries. "Continue where you left off" is the
    course of the learner's latest completed lesson (or latest enrolment), at its first lesson not done."""
    enrollments = list(Enrollment.objects.filter(user=user, course__status=Course.Status.PUBLISHED)
                       .select_related("course", "course__cover")
                       .annotate(lessons_done=Count("completions", distinct=True, filter=COMPLETIONS_LIVE),
                                 last_done_at=Max("completions__completed_at"))
                       .order_by("-created_at", "id"))
    course_ids = [e.course_id for e in enrollments]
    lessons = list(Lesson.objects.filter(module__course_id__in=course_ids).select_related("module")
                   .order_by("module__course_id", "module__position", "module_id", "position", "id"))
    done = set(LessonCompletion.objects.filter(enrollment__in=enrollments).values_list("enrollment_id", "lesson_id"))
    certificates = list(Certificate.objects.filter(user=user).order_by("-issued_at", "id"))
    certified = {c.course_id for c in certificates}
    lessons_by_course: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        lessons_by_course.setdefault(lesson.module.course_id, []).append(lesson)
    courses = []
    for e in enrollments:
        course_lessons = lessons_by_course.get(e.course_id, [])
        courses.append(MyCourse(
            enrollment=e, course=e.course, lessons_done=e.lessons_done, lessons_total=len(course_lessons),
            percent=progress_percent(done=e.lessons_done, total=len(course_lessons)),
            certified=e.course_id in certified,
            next_lesson=next((x for x in course_lessons if (e.pk, x.pk) not in done), None)))
    return LearnerHome(resume=_resume(courses), courses=courses, certificates=certificates,
                       deadlines=learner_deadlines(user=user, now=now, until=now + DEADLINE_HORIZON,
                                                   enrollments=enrollments, done=done)[:HOME_DEADLINES_SHOWN])


def _resume(courses: list[MyCourse]) -> MyCourse | None:
    unfinished = [c for c in courses if c.next_lesson is not None]
    if not unfinished:
        return None
    epoch = datetime(1900, 1, 1, tzinfo=UTC)
    return max(unfinished, key=lambda c: (c.enrollment.last_done_at or epoch, c.enrollment.created_at))


def learner_deadlines(*, user: User, now: datetime, until: datetime | None = None,
                      enrollments: list[Enrollment] | None = None,
                      done: set[tuple[int, int]] | None = None) -> list[Deadline]:
    """The deadlines ahead of `now` (up to `until`) in the learner's published courses not completed yet:
    quizzes not done with a deadline, and the last day of each course, soonest first."""
    if enrollments is None:
        enrollments = list(Enrollment.objects.filter(user=user, course__status=Course.Status.PUBLISHED)
                           .select_related("course"))
    if done is None:
        done = set(LessonCompletion.objects.filter(enrollment__in=enrollments)
                   .values_list("enrollment_id", "lesson_id"))
    open_enrollments = {e.course_id: e for e in enrollments if e.completed_at is None}
    if not open_enrollments:
        return []
    quizzes = [q for q in Lesson.objects.filter(kind=Lesson.Kind.QUIZ, deadline__isnull=False,
                                                module__course_id__in=list(open_enrollments))
               .select_related("module", "module__course")
               if (open_enrollments[q.module.course_id].pk, q.pk) not in done]
    effective = maintenance_deadlines_extended(schema_name=connection.schema_name,
                                               deadlines=[q.deadline for q in quizzes])
    deadlines = [Deadline(kind="quiz", when=effective[q.deadline], course=q.module.course, lesson=q) for q in quizzes]
    deadlines += [Deadline(kind="course_end", when=_end_of_day(e.course.ends_on), course=e.course)
                  for e in open_enrollments.values() if e.course.ends_on is not None]
    return sorted((d for d in deadlines if d.when >= now and (until is None or d.when <= until)),
                  key=lambda d: (d.when, d.course.title, d.kind))


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=platform_tz())


def calendar_key(*, user: User) -> str:
    """The secret in the learner's calendar-feed address: calendar apps cannot sign in. It changes with
    the password, so changing the password revokes old subscriptions."""
    return salted_hmac("courses.calendar-feed", f"{connection.schema_name}:{user.pk}:{user.password}",
                       algorithm="sha256").hexdigest()[:40]


def calendar_user(*, user_id: object, key: object) -> User | None:
    """The active user whose calendar key is `key` (None for a wrong or stale key)."""
    if not isinstance(user_id, str) or not user_id.isdigit() or len(user_id) > 18 or not isinstance(key, str):
        return None
    user = User.objects.filter(pk=int(user_id), is_active=True).first()
    if user is None or not constant_time_compare(calendar_key(user=user), key):
        return None
    return user


__all__ = ["Deadline", "LearnerHome", "MyCourse", "calendar_key", "calendar_user", "learner_deadlines",
           "learner_home"]
