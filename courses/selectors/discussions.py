"""Reads of course discussions and the moderation queue."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from mooc_platform.accounts.models import User

from ..models import Course, Post, PostReport

STAFF = {User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR}


def posts_of_course(*, course: Course, viewer: User) -> list[Post]:
    """Top-level posts with their replies, authors and open-report counts: three queries.
    Hidden posts are shown to moderators only."""
    staff = viewer.role in STAFF
    replies = Post.objects.select_related("author").annotate(
        open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True))).order_by("created_at", "id")
    roots = Post.objects.filter(course=course, parent__isnull=True).select_related("author").annotate(
        open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True))).order_by("-created_at", "-id")
    if not staff:
        replies = replies.filter(hidden_at__isnull=True)
        roots = roots.filter(hidden_at__isnull=True)
    return list(roots.prefetch_related(Prefetch("replies", queryset=replies)))


def reports_open() -> QuerySet[PostReport]:
    """The moderation queue: unresolved reports, oldest first."""
    return (PostReport.objects.filter(resolved_at__isnull=True)
            .select_related("post__author", "post__course", "reporter").order_by("created_at", "id"))
