"""Operator sign-in: password, TOTP second factor, recovery codes, language."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from mooc_platform.audit import audit_client_address
from mooc_platform.errors import ApplicationError
from tenants import services as tenants_services

from .. import services
from ..forms import (
    ConsoleLoginForm,
    LanguageForm,
    TokenForm,
)
from ..security import EXPIRED_KEY, IDLE_KEY, client_address, is_operator, operator_required, verified_device
from .common import _posted, _safe_next


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and is_operator(request.user) and verified_device(request):
        return redirect(_safe_next(request))
    if request.user.is_authenticated and is_operator(request.user):  # password done: second factor next
        return redirect(f"/console/otp/?{urlencode({'next': _safe_next(request)})}")
    expired = request.session.pop(EXPIRED_KEY, False)
    form = ConsoleLoginForm(request, data=_posted(request))
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.get_user())
        request.session[IDLE_KEY] = timezone.now().timestamp()
        return redirect(f"/console/otp/?{urlencode({'next': _safe_next(request)})}")
    return render(request, "console/login.html", {"form": form, "expired": expired, "next": _safe_next(request)})


def _otp_gate(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect("/console/login/")
    if not is_operator(request.user):
        return render(request, "console/forbidden.html", status=403)
    return None


def otp_view(request: HttpRequest) -> HttpResponse:
    """Second step: a code of the operator's authenticator, or one of their recovery codes."""
    gate = _otp_gate(request)
    if gate:
        return gate
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"/console/otp/setup/?{urlencode({'next': _safe_next(request)})}")
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            request.session[IDLE_KEY] = timezone.now().timestamp()
            with audit_client_address(client_address(request)):
                tenants_services.audit_record(action="operator.signed_in", actor=request.user, target=request.user,
                                              after={"factor": type(device).__name__})
            return redirect(_safe_next(request))
        form.add_error("token", _("This code is not valid (or was already used). Try the next one."))
    return render(request, "console/otp.html", {"form": form, "next": _safe_next(request)})


def otp_setup_view(request: HttpRequest) -> HttpResponse:
    """First sign-in of an operator without an authenticator: scan, type a first code, keep the
    recovery codes. Only reachable between password and second factor, for an operator with none."""
    import segno

    gate = _otp_gate(request)
    if gate:
        return gate
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("/console/otp/")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.operator_totp_device_start(operator=request.user)
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            with audit_client_address(client_address(request)):
                codes = services.operator_totp_confirm(device=device, token=form.cleaned_data["token"])
        except ApplicationError as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            request.session[IDLE_KEY] = timezone.now().timestamp()
            return render(request, "console/recovery_codes.html", {"codes": codes, "next": _safe_next(request)})
    from base64 import b32encode

    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True)
    return render(request, "console/otp_setup.html", {
        "form": form, "qr": qr, "secret": b32encode(device.bin_key).decode(), "next": _safe_next(request)})


@operator_required
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "console/recovery_codes.html", {"codes": None})
    codes = services.operator_recovery_codes_issue(operator=request.user)
    return render(request, "console/recovery_codes.html", {"codes": codes, "next": "/console/"})


@require_POST
@operator_required
def language_view(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        request.user.language = form.cleaned_data["language"]
        request.user.save(update_fields=["language"])
        translation.activate(request.user.language)
    return redirect(_safe_next(request))


# --- Dashboard -----------------------------------------------------------------------------------------
