"""The language of a page (issue 13 item 5), first found of:

1. the signed-in user's language (their profile);
2. the language the visitor chose (Django's language cookie, `settings.LANGUAGE_COOKIE_NAME`);
3. on a tenant host, the organisation's language (`Tenant.language`, its one home, which its administrators
   change on the branding page; every organisation has one, with or without a branding);
4. the browser's (`Accept-Language`), then `settings.LANGUAGE_CODE` — what LocaleMiddleware chose already.

On the platform's own host (no tenant) steps 1, 2 and 4. Pages show dates in Paris time:
`mooc_platform.business_time.BusinessTimeMiddleware`."""

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation

from mooc_platform.i18n import LANGUAGE_CODES


def page_language(request: HttpRequest) -> str | None:
    """The language steps 1 to 3 choose for `request`, None to leave LocaleMiddleware's (browser, default)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "language", None) in LANGUAGE_CODES:
        return str(user.language)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in LANGUAGE_CODES:
        return chosen
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        # The request's tenant comes from the routing cache, which no change to its row outlives (tenants.routing).
        language = getattr(getattr(request, "tenant", None), "language", None)
        if language in LANGUAGE_CODES:
            return str(language)
    return None


class TenantLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = page_language(request) or translation.get_language()
        request.LANGUAGE_CODE = language
        # For this request only (a token's user may change it in the view): the next request on this thread starts
        # from LocaleMiddleware's choice again.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# Pages a user without a name may still open (the profile form itself, signing out, what is public).
NAME_FREE_PREFIXES = ("/my/profile/", "/logout/", "/login/", "/static/", "/healthz", "/api/", "/accounts/",
                      "/invitation/", "/account-status/", "/jsi18n/", "/certificates/verify/", "/billing/", "/exports/",
                      "/notifications/unsubscribe/")


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
