"""DRF authentication by expiring, revocable tokens (issue 11 item 3): `Authorization: Token <key>`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .tokens import token_authenticate


class ExpiringTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = token_authenticate(key=key)
        if token is None:
            raise AuthenticationFailed(_("Invalid, expired or revoked token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
