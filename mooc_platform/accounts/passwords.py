"""Whether a password sign-in is allowed for a user on this host: an organisation that signs in through its
identity provider ("SSO only", issue 17 item 1) refuses it. The rule lives in the integrations app, named by
settings.PASSWORD_SIGN_IN_REFUSAL (mooc_platform imports no app, SPEC §2)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .models import User


def password_sign_in_refusal(*, user: User | None) -> str | None:
    """The message refusing `user`'s password sign-in, None when it is allowed."""
    reader = getattr(settings, "PASSWORD_SIGN_IN_REFUSAL", "")
    if user is None or not reader:
        return None
    return import_string(reader)(user=user)
