"""Tenant-host pages of accounts: the invitation link and "send me a new link"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mooc_platform.audit import audit_record

from .invitations import INVITATION_TIMEOUT_DAYS, invitation_user
from .not_me import not_me_user
from .services import invitation_request
from .tokens import user_sign_out_everywhere


def _tenant_host(request: HttpRequest) -> None:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == "public":
        raise Http404


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """`/invitation/<token>/`: the invited user chooses a password (Django's validators refuse
    trivial ones, SPEC R3), then logs in. The link works once; an expired or used one offers a new
    link (issue 9 item 8)."""
    _tenant_host(request)
    user = invitation_user(token=token)
    if user is None:
        return render(request, "accounts/invitation_invalid.html", {"days": INVITATION_TIMEOUT_DAYS}, status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your password is set. Log in with your e-mail address and this password."))
        return redirect("login")
    return render(request, "accounts/invitation.html", {"form": form, "invited": user})


@require_http_methods(["GET", "POST"])
def invitation_new(request: HttpRequest) -> HttpResponse:
    """`/invitation/new/`, linked from the login page: "send me a new link". The answer is the same
    whether or not an account exists (SPEC R3)."""
    _tenant_host(request)
    if request.method == "POST":
        invitation_request(email=request.POST.get("email", ""))
        return redirect("invitation-new-sent")
    return render(request, "accounts/invitation_new.html", {"sent": False})


def invitation_new_sent(request: HttpRequest) -> HttpResponse:
    _tenant_host(request)
    return render(request, "accounts/invitation_new.html", {"sent": True, "days": INVITATION_TIMEOUT_DAYS})


@require_http_methods(["GET", "POST"])
def not_me(request: HttpRequest, token: str) -> HttpResponse:
    """`/not-me/<token>/` from a security e-mail: a confirmation page (mail scanners follow links with GET),
    then every session and API token of the account ends; audited `user.not_me`."""
    _tenant_host(request)
    user = not_me_user(token=token)
    if user is None:
        return render(request, "accounts/not_me.html", {"invalid": True}, status=404)
    if request.method == "POST":
        revoked = user_sign_out_everywhere(user=user)
        audit_record(action="user.not_me", actor=user, schema_name=connection.schema_name, target=user,
                     after={"tokens_revoked": revoked})
        return render(request, "accounts/not_me.html", {"done": True})
    return render(request, "accounts/not_me.html", {"account": user})
