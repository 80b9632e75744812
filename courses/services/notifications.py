"""Notifications (issue 14 item 8): in the app, with an unread count, and by e-mail — one each, or a daily
digest — as each user chose per kind. E-mails carry the organisation's name, logo and colours and leave
under its sender name (mooc_platform.emails)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError
from mooc_platform.http import tenant_url

from ..colours import text_on
from ..errors import Code, NotificationUnsubscribeInvalidError
from ..models import Branding, Enrollment, Lesson, LessonCompletion, Notification, NotificationSettings
from ..selectors.notifications import notification_text
from .branding import branding_display_name, tenant_slug_current

logger = logging.getLogger(__name__)

KINDS = [kind for kind, _label in Notification.Kind.choices]
STAFF_ONLY_KINDS = {Notification.Kind.REPORT}
DEADLINE_NOTICE = timedelta(hours=48)


def notify(*, users: Iterable[User], kind: str, key: str, params: dict[str, Any], url: str = "",
           now: datetime | None = None) -> list[Notification]:
    """Tell `users` (once per user, kind and key: a repeat is ignored) in the app unless they muted `kind`
    there, and by e-mail (after the commit, by Celery) unless they muted it by e-mail or take a digest."""
    now = now or timezone.now()
    recipients = {u.pk: u for u in users if u.is_active}
    if not recipients:
        return []
    key = key[:100]
    choices = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=list(recipients))}
    already = set(Notification.objects.filter(user_id__in=list(recipients), kind=kind, key=key)
                  .values_list("user_id", flat=True))
    def muted(pk: int, where: str) -> bool:
        return pk in choices and kind in getattr(choices[pk], where)

    rows = [Notification(user_id=pk, kind=kind, key=key, params=params, url=url[:500], created_at=now,
                         in_app=not muted(pk, "muted_in_app"))
            for pk in recipients if pk not in already and not (muted(pk, "muted_in_app") and muted(pk, "muted_email"))]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)  # a concurrent twin is ignored, not doubled
    created = list(Notification.objects.filter(user_id__in=[r.user_id for r in rows], kind=kind, key=key)
                   .exclude(user_id__in=already))
    to_email = [n.pk for n in created
                if not (n.user_id in choices and (kind in choices[n.user_id].muted_email
                                                  or choices[n.user_id].daily_digest))]
    if to_email:
        from .. import tasks

        schema_name = connection.schema_name
        transaction.on_commit(lambda: tasks.notifications_email.delay(schema_name=schema_name,
                                                                      notification_ids=to_email))
    return created


def notifications_email(*, notification_ids: list[int], now: datetime | None = None) -> int:
    """Send the e-mail of each notification not e-mailed yet; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    branding = email_branding()
    for notification in (Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
                         .select_related("user")):
        user = notification.user
        unsubscribe = unsubscribe_url(user=user, kind=notification.kind)
        with translation.override(user.language):
            context = {"branding": branding, "items": [_item(notification)], "digest": False,
                       "settings_url": tenant_url(slug=tenant_slug_current(), path="/my/notifications/"),
                       "unsubscribe_url": unsubscribe, "unsubscribe_label": _unsubscribe_label(notification.kind)}
        sent += email_send(to=[user.email], template="courses/emails/notification", context=context,
                           language=user.language, headers=unsubscribe_headers(url=unsubscribe), **_logo(branding))
        notification.emailed_at = now
        notification.save(update_fields=["emailed_at"])
    return sent


def notifications_digest_send(*, now: datetime | None = None) -> int:
    """The daily digest: for each user who chose it, one e-mail with what they were told since the last
    digest and not read yet (kinds they muted by e-mail left out). Returns how many e-mails were sent."""
    now = now or timezone.now()
    branding = email_branding()
    sent = 0
    digesters = NotificationSettings.objects.filter(daily_digest=True).select_related("user")
    for choice in digesters:
        user = choice.user
        pending = list(Notification.objects.filter(user=user, emailed_at__isnull=True, read_at__isnull=True,
                                                   created_at__gt=now - timedelta(days=7))
                       .exclude(kind__in=choice.muted_email).order_by("created_at", "id"))
        if not user.is_active or not pending:
            continue
        unsubscribe = unsubscribe_url(user=user, kind=UNSUBSCRIBE_ALL)
        with translation.override(user.language):
            context = {"branding": branding, "items": [_item(n) for n in pending], "digest": True,
                       "settings_url": tenant_url(slug=tenant_slug_current(), path="/my/notifications/"),
                       "unsubscribe_url": unsubscribe, "unsubscribe_label": _unsubscribe_label(UNSUBSCRIBE_ALL)}
        sent += email_send(to=[user.email], template="courses/emails/notification", context=context,
                           language=user.language, headers=unsubscribe_headers(url=unsubscribe), **_logo(branding))
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    return sent


def deadline_reminders_send(*, now: datetime | None = None) -> int:
    """Tell each enrolled learner who has not completed a quiz that its deadline is within 48 hours (once per
    quiz and learner, whenever the task runs). Returns how many notifications were made."""
    from ..selectors.learning import quiz_deadline_effective

    now = now or timezone.now()
    made = 0
    # The deadline as set, widened by a day: maintenance may only move it later (GCS art. 8).
    for quiz in (Lesson.objects.filter(kind=Lesson.Kind.QUIZ, deadline__gt=now - timedelta(days=1),
                                       deadline__lte=now + DEADLINE_NOTICE)
                 .select_related("module__course")):
        when = quiz_deadline_effective(lesson=quiz)
        if when is None or not now < when <= now + DEADLINE_NOTICE:
            continue
        course = quiz.module.course
        done = LessonCompletion.objects.filter(lesson=quiz).values("enrollment_id")
        learners = User.objects.filter(enrollments__course=course, enrollments__completed_at__isnull=True,
                                       is_active=True).exclude(enrollments__in=Enrollment.objects.filter(
                                           pk__in=done, course=course)).distinct()
        made += len(notify(users=learners, kind=Notification.Kind.DEADLINE, key=f"lesson:{quiz.pk}:{when:%Y%m%d%H%M}",
                           params={"course": course.title, "lesson": quiz.title, "when": when.isoformat()},
                           url=f"/courses/{course.slug}/lessons/{quiz.pk}/", now=now))
    return made


def notifications_mark_read(*, user: User, ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Mark the user's notifications `ids` (all of them when None) read; returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=now or timezone.now())


@transaction.atomic
def notification_settings_update(*, user: User, in_app: Iterable[str], email: Iterable[str],
                                 daily_digest: bool) -> NotificationSettings:
    """Keep the kinds in `in_app` and `email` (every other kind is muted there) and the digest choice."""
    in_app, email = set(in_app), set(email)
    unknown = sorted((in_app | email) - set(KINDS))
    if unknown:
        raise ApplicationError(_("Unknown kind of notification."), code=Code.VALIDATION_ERROR,
                               details={"kinds": [f"Unknown kind: {k}" for k in unknown[:5]]})
    choice, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    choice.muted_in_app = [k for k in KINDS if k not in in_app]
    choice.muted_email = [k for k in KINDS if k not in email]
    choice.daily_digest = bool(daily_digest)
    choice.save()
    return choice


# --- One-click unsubscribe (RFC 8058) --------------------------------------------------------------------------
UNSUBSCRIBE_SALT = "courses.notifications.unsubscribe"
UNSUBSCRIBE_ALL = "*"  # the digest's link: every kind's e-mails


def unsubscribe_token(*, user: User, kind: str) -> str:
    """A signed token (django.core.signing, no expiry: a link in an old e-mail keeps working) naming the
    organisation's schema, the user and the kind of notification (`UNSUBSCRIBE_ALL`: every kind)."""
    return signing.dumps({"s": connection.schema_name, "u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user: User, kind: str) -> str:
    return tenant_url(slug=tenant_slug_current(),
                      path=f"/notifications/unsubscribe/{unsubscribe_token(user=user, kind=kind)}/")


def unsubscribe_headers(*, url: str) -> dict[str, str]:
    """The headers of a one-click unsubscribe (RFC 2369 and RFC 8058): mail clients POST
    `List-Unsubscribe=One-Click` to the URL, signed out."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _unsubscribe_label(kind: str) -> str:
    if kind == UNSUBSCRIBE_ALL:
        return _("Stop these e-mails (every kind of notification)")
    return _("Stop the e-mails of this kind (%(kind)s)") % {"kind": Notification.Kind(kind).label}


def unsubscribe_read(*, token: str) -> tuple[User, str]:
    """The user and kind a token of `unsubscribe_token` names in this organisation; refuses (400) a token that
    was altered, made for another organisation, or names a user or kind that no longer exists."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        data = None
    kind = data.get("k") if isinstance(data, dict) else None
    user = (User.objects.filter(pk=data.get("u"), is_active=True).first()
            if isinstance(data, dict) and data.get("s") == connection.schema_name and isinstance(data.get("u"), int)
            else None)
    if user is None or (kind != UNSUBSCRIBE_ALL and kind not in KINDS):
        raise NotificationUnsubscribeInvalidError(_("This unsubscribe link is not valid: it may have been cut or "
                                                    "altered. Choose your e-mails on your notifications page."))
    return user, str(kind)


@transaction.atomic
def notifications_unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off the e-mails of the kind the token names (every kind for the digest's link) for its user, with
    no sign-in (the signature is the proof); the app's notifications stay as they were. Idempotent."""
    user, kind = unsubscribe_read(token=token)
    choice, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    muted = set(choice.muted_email) | (set(KINDS) if kind == UNSUBSCRIBE_ALL else {kind})
    choice.muted_email = [k for k in KINDS if k in muted]
    if kind == UNSUBSCRIBE_ALL:
        choice.daily_digest = False
    choice.save(update_fields=["muted_email", "daily_digest"])
    return user, kind


def _item(notification: Notification) -> dict[str, str]:
    return {"text": notification_text(notification=notification),
            "url": tenant_url(slug=tenant_slug_current(), path=notification.url or "/my/notifications/")}


def _logo(branding: dict[str, Any]) -> dict[str, Any]:
    return {"inline_images": [branding["logo"]]} if branding.get("logo") else {}


def email_branding() -> dict[str, Any]:
    """The organisation's name, colours and logo (its bytes, attached inline: no link that expires) for e-mails."""
    current = Branding.objects.filter(pk=1).select_related("logo").first()
    primary = current.primary_color if current else "#1d4ed8"
    look: dict[str, Any] = {"name": branding_display_name(), "primary": primary, "on_primary": text_on(primary),
                            "logo": None}
    if current is not None and current.logo is not None and current.logo.confirmed_at is not None:
        try:
            look["logo"] = {"cid": "logo", "content": storage.object_get(key=current.logo.key),
                            "content_type": current.logo.content_type or "image/png"}
        except Exception:
            logger.warning("logo unavailable for e-mails", exc_info=True)
    return look
