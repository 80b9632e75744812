""""This wasn't me" (SPEC R29, issue 15 item 9): every security e-mail (password reset, deactivation) carries a
signed link; following it and confirming ends every session and revokes every API token of the account, as "sign
out everywhere" does. The link is signed (never guessable), names the account by id, and lasts NOT_ME_DAYS."""

from __future__ import annotations

from django.core import signing

from .models import User

NOT_ME_DAYS = 14
_SALT = "accounts.not-me"


def not_me_token(*, user: User) -> str:
    return signing.dumps({"u": user.pk}, salt=_SALT, compress=True)


def not_me_user(*, token: str) -> User | None:
    """The account the link names, None for a forged, expired or unknown one."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=NOT_ME_DAYS * 86400)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("u")).first() if isinstance(data, dict) else None


def not_me_path(*, user: User) -> str:
    return f"/not-me/{not_me_token(user=user)}/"
