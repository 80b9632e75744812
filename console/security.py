"""Who may open the console: an operator of the platform host, signed in with a password *and* a second
factor (TOTP or a recovery code, django-otp), whose session has not been idle too long (issue 12).

Every console page — ours and the Django admin underneath — passes `console_access`. A console request
also carries the client address into the audit log (mooc_platform.audit) and the operator's language."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import logout
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from mooc_platform.audit import audit_client_address
from mooc_platform.http import client_ip

IDLE_KEY = "console_last_seen"
EXPIRED_KEY = "console_expired"


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the platform reads it everywhere (behind TRUSTED_PROXY_IPS too)."""
    return client_ip(request)


def is_operator(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "is_operator", False)
                and connection.schema_name == settings.PUBLIC_SCHEMA_NAME)


def verified_device(request: HttpRequest) -> Device | None:
    """The OTP device this session was verified with, if it still belongs to the signed-in operator."""
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != request.user.pk or not device.confirmed:
        return None
    return device


def idle_expired(request: HttpRequest) -> bool:
    """True (and the session ended) when the last console request is older than the idle limit."""
    now = timezone.now().timestamp()
    last = request.session.get(IDLE_KEY)
    if last is not None and now - float(last) > settings.CONSOLE_SESSION_IDLE_SECONDS:
        logout(request)
        request.session[EXPIRED_KEY] = True
        return True
    request.session[IDLE_KEY] = now
    return False


def console_access(request: HttpRequest) -> str:
    """"ok", or where the operator must go first: "login", "otp" (second factor) or "forbidden"."""
    user = request.user
    if not user.is_authenticated:
        return "login"
    if not is_operator(user):
        return "forbidden"
    if idle_expired(request):
        return "login"
    if verified_device(request) is None:
        return "otp"
    return "ok"


def access_redirect(request: HttpRequest, outcome: str) -> HttpResponse:
    if outcome == "forbidden":
        return HttpResponseForbidden("Operators only.")
    target = "console:login" if outcome == "login" else "console:otp"
    return redirect(f"{redirect(target).url}?{urlencode({'next': request.get_full_path()})}")


def operator_language(user: Any) -> str:
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _has_nul(request: HttpRequest) -> bool:
    return any("\x00" in value for data in (request.GET, request.POST) for values in data.lists()
               for value in values[1])


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A console page: operators with a verified second factor only; audited with the client address;
    rendered in the operator's language."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        outcome = console_access(request)
        if outcome != "ok":
            return access_redirect(request, outcome)
        if _has_nul(request):  # PostgreSQL refuses NUL in text: say so instead of failing on the query
            return HttpResponseBadRequest("NUL characters are not accepted.")
        language = operator_language(request.user)
        request.LANGUAGE_CODE = language
        # Paris dates, the operator's language and the client address for this request only.
        with translation.override(language), timezone.override(ZoneInfo(settings.PLATFORM_TIME_ZONE)), \
                audit_client_address(client_address(request)):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response.headers.setdefault("Content-Language", language)
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped
