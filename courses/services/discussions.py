"""Course discussions (SPEC R21: a posteriori moderation)."""

from __future__ import annotations

import re
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ForbiddenError, NotFoundError

from ..errors import NotEnrolledError
from ..models import Course, Enrollment, Lesson, Notification, Post, PostFollow, PostReport
from .authoring import markdown_render
from .branding import branding_display_name
from .notifications import notify


def member_check(*, course: Course, user: User) -> None:
    if not user.is_course_staff and not Enrollment.objects.filter(course=course, user=user).exists():
        raise NotEnrolledError(_("Enrol in the course to take part in its discussion."))


@transaction.atomic
def post_create(*, course: Course, author: User, body: str, parent: Post | None = None,
                lesson: Lesson | None = None) -> Post:
    """Posts are visible at once; moderation comes after a report. A thread may be about one `lesson` of the
    course (its replies are too). The body is Markdown; `@Full Name` of a participant mentions them. The
    author follows the thread; the thread's author, its followers and those mentioned are told."""
    member_check(course=course, user=author)
    if not body.strip():
        raise ApplicationError(_("A post cannot be empty."), code=Code.VALIDATION_ERROR)
    if parent is not None:
        if parent.course_id != course.pk:
            raise NotFoundError(_("No such post in this course."))
        parent = parent.parent or parent  # one level of replies
        lesson_id = parent.lesson_id
    else:
        if lesson is not None and lesson.module.course_id != course.pk:
            raise NotFoundError(_("No such lesson in this course."))
        lesson_id = lesson.pk if lesson is not None else None
    body = body.strip()[:10_000]
    mentioned = _mentioned(course=course, body=body, author=author)
    post = Post.objects.create(course=course, author=author, body=body, body_html=_post_html(body, mentioned),
                               parent=parent, lesson_id=lesson_id)
    root = parent or post
    PostFollow.objects.get_or_create(post=root, user=author)
    _participants_tell(post=post, root=root, author=author, mentioned=mentioned)
    return post


def _mentioned(*, course: Course, body: str, author: User) -> list[User]:
    """The course's participants (enrolled, or staff) whose full name follows an @ in `body`."""
    if "@" not in body:
        return []
    lowered = body.casefold()
    candidates = (User.objects.filter(is_active=True).exclude(pk=author.pk).exclude(full_name="")
                  .filter(Q(enrollments__course=course) | Q(role__in=User.COURSE_STAFF_ROLES)).distinct())
    return [u for u in candidates if f"@{u.full_name.strip().casefold()}" in lowered]


def _post_html(body: str, mentioned: list[User]) -> str:
    for user in sorted(mentioned, key=lambda u: -len(u.full_name)):  # "@Ann Lee" before "@Ann"
        name = user.full_name.strip()
        body = re.sub(rf"@{re.escape(name)}\b", lambda m: f"**{m.group(0)}**", body, flags=re.IGNORECASE)
    return markdown_render(body)


def _participants_tell(*, post: Post, root: Post, author: User, mentioned: list[User]) -> None:
    url = reverse("discussion", args=[post.course.slug]) + f"#post-{root.pk}"
    params = {"course": post.course.title, "who": author.public_name}
    told = {author.pk}
    if post.parent_id is not None:
        if root.author is not None and root.author_id not in told:
            notify(users=[root.author], kind=Notification.Kind.REPLY, key=f"post:{post.pk}", params=params, url=url)
            told.add(root.author_id)
        followers = User.objects.filter(post_follows__post=root).exclude(pk__in=told)
        notify(users=list(followers), kind=Notification.Kind.FOLLOWED, key=f"post:{post.pk}", params=params,
               url=url)
        told.update(u.pk for u in followers)
    notify(users=[u for u in mentioned if u.pk not in told], kind=Notification.Kind.MENTION,
           key=f"post:{post.pk}", params=params, url=url)


@transaction.atomic
def post_follow(*, post: Post, user: User, follow: bool = True) -> bool:
    """Follow (or stop following) the thread of `post`; returns whether `user` follows it now."""
    member_check(course=post.course, user=user)
    root = post.parent or post
    if follow:
        PostFollow.objects.get_or_create(post=root, user=user)
    else:
        PostFollow.objects.filter(post=root, user=user).delete()
    return follow


@transaction.atomic
def post_report(*, post: Post, reporter: User, reason: str) -> PostReport:
    member_check(course=post.course, user=reporter)
    if not reason.strip():
        raise ApplicationError(_("Say why this post should be moderated."), code=Code.VALIDATION_ERROR)
    report = PostReport.objects.create(post=post, reporter=reporter, reason=reason.strip()[:500])
    moderators = User.objects.filter(is_active=True, role__in=User.COURSE_STAFF_ROLES).exclude(pk=reporter.pk)
    notify(users=list(moderators), kind=Notification.Kind.REPORT, key=f"report:{report.pk}",
           params={"course": post.course.title}, url=reverse("moderation"))
    return report


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
