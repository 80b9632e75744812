"""Reads of notifications (issue 14 item 8): a user's list and unread count, their choices, the text of a
notification in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mooc_platform.accounts.models import User
from mooc_platform.business_time import platform_tz

from ..models import Notification, NotificationSettings


@dataclass(frozen=True)
class NotificationChoices:
    in_app: frozenset[str]
    email: frozenset[str]
    daily_digest: bool


def notifications_of(*, user: User) -> QuerySet[Notification]:
    """The user's notifications shown in the app (not those of kinds muted there when made), newest first."""
    return Notification.objects.filter(user=user, in_app=True).order_by("-created_at", "-id")


def notifications_unread_count(*, user: User) -> int:
    return notifications_of(user=user).filter(read_at__isnull=True).count()


def notification_settings_of(*, user: User) -> NotificationChoices:
    kinds = [kind for kind, _label in Notification.Kind.choices]
    choice = NotificationSettings.objects.filter(user=user).first()
    if choice is None:
        return NotificationChoices(in_app=frozenset(kinds), email=frozenset(kinds), daily_digest=False)
    return NotificationChoices(in_app=frozenset(k for k in kinds if k not in choice.muted_in_app),
                               email=frozenset(k for k in kinds if k not in choice.muted_email),
                               daily_digest=choice.daily_digest)


def notification_text(*, notification: Notification) -> str:
    """One sentence in the active language, from the kind and the names kept when it was made."""
    p: dict[str, Any] = {k: str(v) for k, v in (notification.params or {}).items()}
    course, lesson, who = p.get("course", ""), p.get("lesson", ""), p.get("who", "")
    kind = notification.kind
    if kind == Notification.Kind.ENROLMENT:
        return _("You are enrolled in “%(course)s”.") % {"course": course}
    if kind == Notification.Kind.CERTIFICATE:
        return _("You earned the certificate of “%(course)s”.") % {"course": course}
    if kind == Notification.Kind.REPLY:
        return _("%(who)s replied to your post in “%(course)s”.") % {"who": who, "course": course}
    if kind == Notification.Kind.FOLLOWED:
        return _("%(who)s replied in a thread you follow in “%(course)s”.") % {"who": who, "course": course}
    if kind == Notification.Kind.MENTION:
        return _("%(who)s mentioned you in the discussion of “%(course)s”.") % {"who": who, "course": course}
    if kind == Notification.Kind.REPORT:
        return _("A post was reported in the discussion of “%(course)s”.") % {"course": course}
    if kind == Notification.Kind.DEADLINE:
        when = parse_datetime(p.get("when", ""))
        shown = date_format(when.astimezone(platform_tz()), "DATETIME_FORMAT") if when else ""  # Paris time
        return _("The quiz “%(lesson)s” of “%(course)s” closes on %(when)s.") % {
            "lesson": lesson, "course": course, "when": shown}
    return str(notification.get_kind_display())
