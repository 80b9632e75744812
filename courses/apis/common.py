"""What every room of the tenant API shares: id bounds and the course and lesson lookups."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework.request import Request

from mooc_platform.errors import NotFoundError

from .. import selectors
from ..errors import NotEnrolledError
from ..models import Course, Lesson

# Ids sent in bodies stay within PostgreSQL's bigint: bad input is a 400, never a 500.
ID: dict[str, int] = {"min_value": 1, "max_value": 2**63 - 1}


def _course_for(request: Request, pk: int) -> Course:
    return get_object_or_404(selectors.courses_visible(user=request.user), pk=pk)


def _lesson_for(request: Request, pk: int) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("module__course", "media"), pk=pk)
    if lesson.module.course.status != Course.Status.PUBLISHED and not request.user.is_course_staff:
        raise NotFoundError("No such lesson.") from None
    return lesson


def _lesson_readable_for(request: Request, pk: int) -> Lesson:
    """The lesson, when the requester may read its content (`selectors.lesson_readable`)."""
    lesson = _lesson_for(request, pk)
    if not selectors.lesson_readable(user=request.user, lesson=lesson):
        raise NotEnrolledError("Enrol in the course first.")
    return lesson
