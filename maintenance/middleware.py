"""Maintenance mode (SPEC R18): during a window, the affected tenants answer 503.

Decided on every request from the windows in force (maintenance.state, cached a few seconds), so
there is no flag to forget to clear. Placed right after the tenant middleware: a request refused
here touches no session, user or tenant table, which may be migrating."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mooc_platform.errors import error_body
from mooc_platform.i18n import language_supported

from .errors import Code
from .state import ActiveWindow, window_in_force, windows_not_ended

# Paths any host keeps serving during a window: the load balancer's health check, static files.
PASS_THROUGH_PREFIXES = ("/healthz", "/static/")


def retry_after_seconds(window: ActiveWindow, now: datetime) -> int:
    return max(1, math.ceil((window.end - now).total_seconds()))


class MaintenanceModeMiddleware:
    """503 + Retry-After for a tenant host inside one of its windows; the platform host (operators,
    status page, console) always passes, and so do /healthz and /static/.

    Operators are recognised by host only: an operator's account, session and token live in the
    public schema and mean nothing on a tenant host, so no request on a tenant host passes. Letting
    them through there would also show them tenant content, which needs the customer's support-access
    grant (SPEC R19, GCS art. 5)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is None
            or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME
            or request.path.startswith(PASS_THROUGH_PREFIXES)
        ):
            return self.get_response(request)
        now = timezone.now()
        windows = windows_not_ended(now)
        request.maintenance_windows = windows  # type: ignore[attr-defined]  # the banner reuses them
        window = window_in_force(schema_name=tenant.schema_name, now=now, windows=windows)
        if window is None:
            return self.get_response(request)
        return maintenance_response(request, window=window, now=now)


def maintenance_response(request: HttpRequest, *, window: ActiveWindow, now: datetime) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    language = language_supported(tenant.language)
    retry_after = retry_after_seconds(window, now)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            error_body(
                Code.MAINTENANCE_IN_PROGRESS,
                window.message(language) or "This organisation is under maintenance.",
                {"window_id": window.id, "start": window.start.isoformat(), "end": window.end.isoformat(),
                 "retry_after": retry_after},
            ),
            status=503,
        )
    else:
        with translation.override(language), timezone.override(settings.PLATFORM_TIME_ZONE):
            html = render_to_string(
                "maintenance/maintenance_page.html",
                {"window": window, "message": window.message(language), "other_message":
                 window.message("en" if language == "fr" else "fr"), "tenant": tenant,
                 "platform_name": settings.PLATFORM_NAME, "language": language},
            )
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
