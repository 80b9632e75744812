"""Language and time zone of a tenant page: the user's language when signed in, else the
organisation's default language (branding), unless the visitor chose one (language cookie).
Dates are shown and entered in PLATFORM_TIME_ZONE (SPEC §2: business times in Europe/Paris)."""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class TenantLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = None
        timezone.activate(ZoneInfo(settings.PLATFORM_TIME_ZONE))
        if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and getattr(user, "language", None):
                language = user.language
            elif settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                from .services import tenant_default_language

                try:
                    language = tenant_default_language()
                except Exception:  # a page must render even if the tenant tables are unreachable
                    language = None
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
