"""DRF authentication by API key (issue 17 item 4): `Authorization: Api-Key mk_<prefix>_<secret>`.

The key's scopes and rate limit are enforced here, before any view runs; the `RateLimit-Limit`,
`RateLimit-Remaining` and `RateLimit-Reset` headers are added to the answer by
`integrations.middleware.RateLimitHeadersMiddleware`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request

KEYWORD = "Api-Key"
RATE_LIMIT_ATTRIBUTE = "api_key_rate_limit"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        # Imported here: DRF loads this class while mooc_platform.errors (which the services use) is importing.
        from .services.api_keys import api_key_authenticate, api_key_rate_take, api_key_scope_check

        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Invalid API key header: `Api-Key <key>`."))
        try:
            raw_key = parts[1].decode("ascii")
        except UnicodeError as error:
            raise AuthenticationFailed(_("Invalid API key.")) from error
        api_key = api_key_authenticate(raw_key=raw_key)
        if api_key is None:
            raise AuthenticationFailed(_("Invalid, expired or revoked API key."))
        rate = api_key_rate_take(api_key=api_key)
        setattr(request._request, RATE_LIMIT_ATTRIBUTE, rate)
        if rate.exceeded:
            raise Throttled(wait=rate.reset, detail=str(_("Rate limit of this API key reached: retry later.")))
        api_key_scope_check(api_key=api_key, path=request._request.path, method=request.method or "GET")
        return api_key.created_by, api_key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
