"""Reads of the organisation's users."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import QuerySet
from django.utils import timezone

from mooc_platform.accounts.models import User

from ..models import UserInvitation


def _members() -> Any:
    return User.objects.filter(is_active=True).exclude(role=User.Role.OPERATOR)


def seats_used() -> int:
    """The active seats (SPEC R2, issue 13): active users who accepted their invitation (chose a password).
    An invited user who has not accepted yet is shown as "invited" and is not an active seat."""
    return _members().exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX).count()


def seats_reserved() -> int:
    """Seats held by pending invitations (active users who have not chosen a password yet)."""
    return _members().filter(password__startswith=UNUSABLE_PASSWORD_PREFIX).count()


def seats_taken() -> int:
    """Active seats plus the seats pending invitations hold: what the seat limit caps. An invitation keeps its
    seat until it is accepted or cancelled, so accepting one never fails on the limit."""
    return _members().count()


def users_list() -> QuerySet[User]:
    return User.objects.exclude(role=User.Role.OPERATOR).order_by("email")


def user_status(*, user: User) -> str:
    """"inactive" (deactivated), "invited" (active, has not accepted the invitation: holds a seat but is no active
    seat, `courses.services.people.seats_used`) or "active"."""
    if not user.is_active:
        return "inactive"
    return "active" if user.has_usable_password() else "invited"


def user_invitation_legacy_user(*, token: str) -> User | None:
    """The user a still-valid invitation token of the old courses scheme (`/accounts/invitation/<token>/`,
    stored as a SHA-256 in UserInvitation, sent before the one flow of mooc_platform.accounts) was
    sent to, if they have not chosen a password yet; None otherwise. Such links expire within
    14 days of the change; then this and the UserInvitation table can go."""
    invitation = (UserInvitation.objects.select_related("user")
                  .filter(token_hash=hashlib.sha256(token.encode()).hexdigest(), accepted_at__isnull=True,
                          expires_at__gt=timezone.now(), user__is_active=True).first())
    if invitation is None or invitation.user.has_usable_password():
        return None
    return invitation.user
