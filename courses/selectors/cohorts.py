"""Reads of cohorts and of a course's people (issue 14 item 10): a fixed number of queries per page."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from mooc_platform.accounts.models import User

from ..models import Cohort, CohortCourse, CohortMember, CohortPath, Course, Enrollment

USER_SEARCH_LIMIT = 20


def cohorts_list() -> QuerySet[Cohort]:
    """Every cohort with its number of members, courses and paths."""
    return Cohort.objects.annotate(members_count=Count("memberships", distinct=True),
                                   courses_count=Count("course_enrolments", distinct=True),
                                   paths_count=Count("path_enrolments", distinct=True)).order_by("name", "id")


def cohort_members(*, cohort: Cohort) -> QuerySet[CohortMember]:
    return CohortMember.objects.filter(cohort=cohort).select_related("user").order_by("user__email", "id")


def cohort_courses(*, cohort: Cohort) -> QuerySet[CohortCourse]:
    return (CohortCourse.objects.filter(cohort=cohort).select_related("course")
            .annotate(enrolled=Count("course__enrollments", filter=Q(course__enrollments__cohort=cohort),
                                     distinct=True))
            .order_by("course__title", "id"))


def cohort_paths(*, cohort: Cohort) -> QuerySet[CohortPath]:
    return CohortPath.objects.filter(cohort=cohort).select_related("path").order_by("path__title", "id")


def cohort_users_search(*, cohort: Cohort, query: str) -> list[User]:
    """Active users of the organisation not yet in the cohort whose e-mail or name contains `query`."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    return list(User.objects.filter(is_active=True).exclude(role=User.Role.OPERATOR)
                .exclude(cohort_memberships__cohort=cohort)
                .filter(Q(email__icontains=query) | Q(full_name__icontains=query))
                .order_by("email")[:USER_SEARCH_LIMIT])


def course_people(*, course: Course) -> QuerySet[Enrollment]:
    """The course's learners with the cohort they came through (none: enrolled directly) and their progress."""
    return (Enrollment.objects.filter(course=course).select_related("user", "cohort")
            .annotate(lessons_done=Count("completions", distinct=True)).order_by("user__email", "id"))
