"""Reads of course discussions and the moderation queue."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from mooc_platform.accounts.models import User

from ..models import Course, Lesson, Post, PostFollow, PostReport


def post_author_label(*, post: Post, viewer: User) -> str:
    """The name `viewer` sees on a post of a living account: the author's full name; without one (an
    account that never signed in to a page, where a name is now required), the author's role
    ("Learner"), for every reader: forums never show an e-mail address (issue 11 item 6)."""
    author = post.author
    if author is None:
        return ""
    if author.full_name.strip():
        return author.full_name
    return str(author.get_role_display())


def posts_of_course(*, course: Course, viewer: User, lesson: Lesson | None = None) -> list[Post]:
    """Top-level posts (those about `lesson` only, when given) with their replies, authors, lesson and
    open-report counts, and whether `viewer` follows each thread: three queries. Hidden posts are shown to
    moderators only. Each post carries `author_label` for `viewer`."""
    staff = viewer.is_course_staff
    replies = Post.objects.select_related("author").annotate(
        open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True))).order_by("created_at", "id")
    roots = Post.objects.filter(course=course, parent__isnull=True).select_related("author", "lesson").annotate(
        open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
        followed=Exists(PostFollow.objects.filter(post=OuterRef("pk"), user=viewer))).order_by("-created_at", "-id")
    if lesson is not None:
        roots = roots.filter(lesson=lesson)
    if not staff:
        replies = replies.filter(hidden_at__isnull=True)
        roots = roots.filter(hidden_at__isnull=True)
    threads = list(roots.prefetch_related(Prefetch("replies", queryset=replies)))
    for post in threads:
        post.author_label = post_author_label(post=post, viewer=viewer)  # type: ignore[attr-defined]
        for reply in post.replies.all():
            reply.author_label = post_author_label(post=reply, viewer=viewer)  # type: ignore[attr-defined]
    return threads


def reports_open() -> QuerySet[PostReport]:
    """The moderation queue: unresolved reports, oldest first."""
    return (PostReport.objects.filter(resolved_at__isnull=True)
            .select_related("post__author", "post__course", "reporter").order_by("created_at", "id"))


def reports_open_count() -> int:
    """How many reports wait for a moderator (the count in the moderators' navigation)."""
    return PostReport.objects.filter(resolved_at__isnull=True).count()


def lesson_threads_count(*, lesson: Lesson, viewer: User) -> int:
    """Threads about `lesson` that `viewer` can see (hidden ones for moderators only)."""
    threads = Post.objects.filter(lesson=lesson, parent__isnull=True)
    return threads.count() if viewer.is_course_staff else threads.filter(hidden_at__isnull=True).count()
