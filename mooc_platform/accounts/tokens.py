"""API tokens that expire and can be revoked, and "sign out everywhere" (issue 11 item 3).

A token is `Authorization: Token <key>` (SPEC §4), stored in the schema of the host that issued it
(so worthless on another host), as the SHA-256 of its key; it lasts API_TOKEN_TTL_DAYS. A new password
revokes every token of the user (`User.save`) and ends its sessions (the session hash is the
password's); "sign out everywhere" does both without a new password by moving `User.session_epoch`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from .models import AccessToken, User

LAST_USED_PRECISION = timedelta(minutes=10)  # at most one write per token every 10 minutes


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_ttl() -> timedelta:
    return timedelta(days=getattr(settings, "API_TOKEN_TTL_DAYS", 30))


def token_issue(*, user: User, user_agent: str = "", now: datetime | None = None) -> tuple[AccessToken, str]:
    """A new token for `user` in the current schema: the row and the key, which is shown only now."""
    now = now or timezone.now()
    key = secrets.token_hex(20)
    token = AccessToken.objects.create(user=user, key_digest=_digest(key), prefix=key[:8], created_at=now,
                                       expires_at=now + token_ttl(), last_used_at=now,
                                       user_agent=(user_agent or "")[:200])
    return token, key


def token_authenticate(*, key: str, now: datetime | None = None) -> AccessToken | None:
    """The live token whose key is `key` (its user loaded), None when unknown, revoked or expired."""
    now = now or timezone.now()
    token = (AccessToken.objects.select_related("user")
             .filter(key_digest=_digest(key), expires_at__gt=now).first())
    if token is not None and (token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION):
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_live(*, user: User, now: datetime | None = None) -> QuerySet[AccessToken]:
    """The user's tokens that still authenticate, newest first."""
    return AccessToken.objects.filter(user=user, expires_at__gt=now or timezone.now())


def token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when it has no such token."""
    deleted, _ = AccessToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def tokens_expired_delete(*, now: datetime | None = None) -> int:
    deleted, _ = AccessToken.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> int:
    """End every session and revoke every token of `user` (the user's own request, or an administrator's
    on the user). Returns the number of tokens revoked."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    deleted, _ = AccessToken.objects.filter(user=user).delete()
    return deleted
