"""The one invitation link with which a user chooses a password (SPEC R2, R3): the first
administrator of a new tenant, a user invited by an administrator or by CSV import, a new link asked
for from the login page or sent again by an operator. `/invitation/<token>/` on the tenant's host.

Stateless, like Django's password-reset tokens: the token hashes the user's id, password hash, last
login and the tenant's schema, so it stops working once a password is set, and a token of one
tenant is worthless on another. Sending a new link rotates the user's unusable password hash, so the
links sent before stop working (`mooc_platform.accounts.services.user_invitation_resend`). Links
expire after INVITATION_TIMEOUT_DAYS."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import connection
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django_tenants.utils import schema_context

from mooc_platform.http import tenant_url

from .models import User

INVITATION_TIMEOUT_DAYS = 14


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    # The salt of the module's first home: links already sent stay valid.
    key_salt = "tenants.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{connection.schema_name}:{super()._make_hash_value(user, timestamp)}"

    def check_token(self, user: Any, token: str | None) -> bool:
        """Django's check, with the invitation's own lifetime instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            ts = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
                   for secret in [self.secret, *self.secret_fallbacks]):
            return False
        return self._num_seconds(self._now()) - ts <= INVITATION_TIMEOUT_DAYS * 24 * 3600


invitation_tokens = InvitationTokenGenerator()


def invitation_token(*, user: User) -> str:
    """The `<token>` of `/invitation/<token>/` for `user` of the current schema."""
    return f"{urlsafe_base64_encode(force_bytes(user.pk))}.{invitation_tokens.make_token(user)}"


def invitation_path(*, user: User) -> str:
    return f"/invitation/{invitation_token(user=user)}/"


def invitation_link(*, tenant: Any, user: User) -> str:
    """Absolute one-time link on the tenant's host for `user`, a user of `tenant`'s schema."""
    with schema_context(tenant.schema_name):
        # The row as stored: a caller's older copy would sign a password hash that changed since.
        path = invitation_path(user=User.objects.get(pk=user.pk))
    return tenant_url(slug=tenant.slug, path=path)


def user_invitation_link(*, tenant: Any, email: str) -> str:
    """The one-time link of the user of `tenant` registered with `email` (raises User.DoesNotExist)."""
    with schema_context(tenant.schema_name):
        user = User.objects.get(email=email.strip().lower())
    return invitation_link(tenant=tenant, user=user)


def invitation_user(*, token: str) -> User | None:
    """The user of the current schema whom `token` invites, or None when it is invalid or used."""
    uid, _, secret = token.partition(".")
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not invitation_tokens.check_token(user, secret):
        return None
    return user
