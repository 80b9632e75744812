"""Language of a tenant page: the user's language when signed in, else the organisation's default
language (branding), unless the visitor chose one (language cookie)."""

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class TenantLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = None
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
