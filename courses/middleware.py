"""Language and time zone of a tenant page: the user's language when signed in, else the
organisation's default language set in its branding, unless the visitor chose one (language cookie);
without branding, the browser's language, or the organisation's (`Tenant.language`) when none is sent.
Pages show dates in Paris time: `mooc_platform.business_time.BusinessTimeMiddleware`."""

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
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
                # Visitors: the default language the administrator chose in the branding, if any;
                # otherwise LocaleMiddleware's choice (browser's Accept-Language) stands, and for a
                # client that states none (API scripts, curl) the organisation's language.
                from .selectors import branding_current

                try:
                    branding = branding_current()
                except DatabaseError:  # a page must render even if the tenant tables are unreachable
                    branding = None
                else:  # the branding context processor reuses it: one query per request, not two
                    request._branding = branding or False  # type: ignore[attr-defined]
                language = branding.default_language if branding else None
                if not language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
                    language = getattr(getattr(request, "tenant", None), "language", None)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


# Pages a user without a name may still open (the profile form itself, signing out, what is public).
NAME_FREE_PREFIXES = ("/my/profile/", "/logout/", "/login/", "/static/", "/healthz", "/api/", "/accounts/",
                      "/invitation/", "/account-status/", "/jsi18n/", "/certificates/verify/", "/billing/", "/exports/")


class NameRequiredMiddleware:
    """A name is required on first sign-in (issue 11 item 6): others see people by their name, never
    their e-mail, so a signed-in member of an organisation without one is sent to the profile form
    (pages only: the API keeps answering, and shows such a member as "Member <id>")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (request.method == "GET" and user is not None and user.is_authenticated
                and connection.schema_name != settings.PUBLIC_SCHEMA_NAME and not user.is_operator
                and not (user.full_name or "").strip() and not request.path.startswith(NAME_FREE_PREFIXES)):
            return HttpResponseRedirect(f"/my/profile/?next={quote(request.get_full_path())}")
        return self.get_response(request)
