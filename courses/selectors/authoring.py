"""Reads of courses and their outline."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from mooc_platform.accounts.models import User

from ..models import Course, Lesson, Module


def courses_visible(*, user: User) -> QuerySet[Course]:
    """Courses a user may see: staff of the organisation see drafts too, learners only published ones."""
    qs = Course.objects.all()
    if not user.is_course_staff:
        qs = qs.filter(status=Course.Status.PUBLISHED)
    return qs.order_by("title", "id")


def course_outline(*, course: Course) -> list[Module]:
    """Modules with their lessons (and media) in order: two queries."""
    return list(Module.objects.filter(course=course).order_by("position", "id").prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.select_related("media").order_by("position", "id"))))


def course_lessons(*, course: Course) -> list[Lesson]:
    return list(Lesson.objects.filter(module__course=course).select_related("module", "media")
                .order_by("module__position", "module_id", "position", "id"))
