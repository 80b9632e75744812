"""Course discussions (SPEC R21: a posteriori moderation)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ForbiddenError, NotFoundError

from ..errors import NotEnrolledError
from ..models import Course, Enrollment, Post, PostReport
from .branding import branding_display_name


def member_check(*, course: Course, user: User) -> None:
    if not user.is_course_staff and not Enrollment.objects.filter(course=course, user=user).exists():
        raise NotEnrolledError(_("Enrol in the course to take part in its discussion."))


@transaction.atomic
def post_create(*, course: Course, author: User, body: str, parent: Post | None = None) -> Post:
    """Posts are visible at once; moderation comes after a report."""
    member_check(course=course, user=author)
    if not body.strip():
        raise ApplicationError(_("A post cannot be empty."), code=Code.VALIDATION_ERROR)
    if parent is not None:
        if parent.course_id != course.pk:
            raise NotFoundError(_("No such post in this course."))
        parent = parent.parent or parent  # one level of replies
    return Post.objects.create(course=course, author=author, body=body.strip()[:10_000], parent=parent)


@transaction.atomic
def post_report(*, post: Post, reporter: User, reason: str) -> PostReport:
    member_check(course=post.course, user=reporter)
    if not reason.strip():
        raise ApplicationError(_("Say why this post should be moderated."), code=Code.VALIDATION_ERROR)
    return PostReport.objects.create(post=post, reporter=reporter, reason=reason.strip()[:500])


def _author_tell(*, post: Post, template: str, reason: str = "") -> None:
    author = post.author
    if author is None:
        return
    context = {"post": post, "course_title": post.course.title, "reason": reason,
               "organisation": branding_display_name()}
    transaction.on_commit(lambda: email_send(to=[author.email], template=template, context=context,
                                             language=author.language))


@transaction.atomic
def post_hide(*, post: Post, moderator: User, reason: str = "", now: datetime | None = None) -> Post:
    if not moderator.is_course_staff:
        raise ForbiddenError(_("Only instructors and administrators moderate discussions."))
    now = now or timezone.now()
    if post.hidden_at is None:
        post.hidden_at, post.hidden_by = now, moderator
        post.save(update_fields=["hidden_at", "hidden_by"])
        audit_record(action="post.hidden", actor=moderator, schema_name=connection.schema_name, target=post,
                     before={"hidden": False}, after={"hidden": True, "reason": reason[:200]})
        _author_tell(post=post, template="courses/emails/post_hidden", reason=reason)
    PostReport.objects.filter(post=post, resolved_at__isnull=True).update(resolved_at=now)
    return post


@transaction.atomic
def post_restore(*, post: Post, moderator: User, now: datetime | None = None) -> Post:
    if not moderator.is_course_staff:
        raise ForbiddenError(_("Only instructors and administrators moderate discussions."))
    now = now or timezone.now()
    if post.hidden_at is not None:
        post.hidden_at, post.hidden_by = None, None
        post.save(update_fields=["hidden_at", "hidden_by"])
        audit_record(action="post.restored", actor=moderator, schema_name=connection.schema_name, target=post,
                     before={"hidden": True}, after={"hidden": False})
        _author_tell(post=post, template="courses/emails/post_restored")
    PostReport.objects.filter(post=post, resolved_at__isnull=True).update(resolved_at=now)
    return post


@transaction.atomic
def report_dismiss(*, report: PostReport, moderator: User, now: datetime | None = None) -> PostReport:
    report.resolved_at = now or timezone.now()
    report.save(update_fields=["resolved_at"])
    return report
