"""DRF authentication by expiring, revocable tokens (issue 11 item 3): `Authorization: Token <key>`. The token's
user is known only here, after the middleware chose the page's language: their language is then the answer's, as
for a signed-in page (the user's language first, courses.middleware.page_language)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from mooc_platform.i18n import LANGUAGE_CODES

from .tokens import token_authenticate


class ExpiringTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None and getattr(result[0], "language", None) in LANGUAGE_CODES:
            translation.activate(result[0].language)
            request._request.LANGUAGE_CODE = result[0].language
        return result

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = token_authenticate(key=key)
        if token is None:
            raise AuthenticationFailed(_("Invalid, expired or revoked token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
