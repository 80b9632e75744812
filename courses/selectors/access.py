"""Who may read what: the one answer to "may this user read this lesson" (issue 11 item 1).

Every API view, page, export and analytics path that shows a lesson's content (body, media, questions)
asks these functions; none re-implements the rule."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from mooc_platform.accounts.models import User
from mooc_platform.business_time import business_date

from ..models import Course, Enrollment, Lesson

STAFF_ROLES = frozenset({User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR})


def course_content_readable(*, user: User, course: Course) -> bool:
    """True when `user` may read the lessons of `course`: the organisation's instructors and
    administrators always; anyone else only while enrolled in the published course (a SPOC's content is
    confidential until the invitation is taken up, a MOOC's until the learner enrols), and within the access
    dates of the enrolment when a cohort set them (`courses.services.cohorts`)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role in STAFF_ROLES:
        return True
    if course.status != Course.Status.PUBLISHED:
        return False
    return _open_enrollments(user=user).filter(course=course).exists()


def _open_enrollments(*, user: User) -> QuerySet[Enrollment]:
    """The user's enrolments whose access dates (a cohort's, issue 14 item 10) include today, Paris time."""
    today = business_date()
    return (Enrollment.objects.filter(user=user)
            .filter(Q(access_starts_on__isnull=True) | Q(access_starts_on__lte=today))
            .filter(Q(access_ends_on__isnull=True) | Q(access_ends_on__gte=today)))


def enrollment_access_state(*, enrollment: Enrollment) -> str:
    """"open", "not_started" (before the cohort's start date) or "ended" (after its end date), Paris time."""
    today = business_date()
    if enrollment.access_starts_on and today < enrollment.access_starts_on:
        return "not_started"
    if enrollment.access_ends_on and today > enrollment.access_ends_on:
        return "ended"
    return "open"


def lesson_readable(*, user: User, lesson: Lesson) -> bool:
    """True when `user` may read this lesson's body, media and questions."""
    return course_content_readable(user=user, course=lesson.module.course)


def courses_content_readable(*, user: User) -> QuerySet[Course]:
    """The courses whose lessons `user` may read (same rule as `course_content_readable`, as a query)."""
    if not user.is_authenticated or not user.is_active:
        return Course.objects.none()
    if user.role in STAFF_ROLES:
        return Course.objects.all()
    return Course.objects.filter(status=Course.Status.PUBLISHED,
                                 pk__in=_open_enrollments(user=user).values("course_id"))
