"""Pages: the old invitation address, my profile, the administrator's user list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mooc_platform.accounts.invitations import invitation_path
from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.accounts.services import user_invitation_resend
from mooc_platform.accounts.tokens import user_sign_out_everywhere
from mooc_platform.errors import ApplicationError
from mooc_platform.i18n import LANGUAGE_CODES
from mooc_platform.input_guards import parse_id

from .. import selectors, services
from .common import _error


def invitation_legacy(request: HttpRequest, token: str) -> HttpResponse:
    """`/accounts/invitation/<token>/`, the address of the invitations courses sent before the one flow
    of mooc_platform.accounts (tokens stored hashed in UserInvitation): a link still valid leads to
    the invitation page with a fresh token; any other to `/invitation/<token>/`, which says the link is
    no longer valid and offers a new one."""
    user = selectors.user_invitation_legacy_user(token=token)
    return redirect(invitation_path(user=user) if user is not None else f"/invitation/{token}/")


@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        full_name = request.POST.get("full_name", user.full_name).strip()[:200]
        if not full_name:
            messages.error(request, _("Your name is required."))
            return render(request, "courses/my_profile.html", {"profile": user}, status=400)
        user.full_name = full_name
        if request.POST.get("language") in LANGUAGE_CODES:
            user.language = request.POST["language"]
        user.save(update_fields=["full_name", "language"])
        messages.success(request, _("Profile saved."))
        next_url = request.POST.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            return redirect(next_url)
        return redirect("my-profile")
    if not user.full_name.strip():
        messages.info(request, _("Please tell us your name: it is shown on your certificates and in discussions."))
    return render(request, "courses/my_profile.html", {"profile": user, "next": request.GET.get("next", "")})


@administrator_required
def manage_users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                user, _token = services.user_invite(
                    email=request.POST.get("email", ""), role=request.POST.get("role", "learner"),
                    full_name=request.POST.get("full_name", ""), invited_by=request.user)
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            elif action == "resend":
                target = get_object_or_404(selectors.users_list(), pk=parse_id(request.POST.get("user")))
                user_invitation_resend(user=target, actor=request.user)
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": target.email})
            elif action == "role":
                target = get_object_or_404(selectors.users_list(), pk=request.POST.get("user"))
                changed = services.user_role_change(user=target, role=request.POST.get("role", ""),
                                                    actor=request.user)
                messages.success(request, _("%(email)s is now: %(role)s.") % {
                    "email": changed.email, "role": changed.get_role_display()})
            elif action == "sign-out-everywhere":
                target = get_object_or_404(selectors.users_list(), pk=request.POST.get("user"))
                user_sign_out_everywhere(user=target)
                messages.success(request, _("%(email)s is signed out on every device.") % {"email": target.email})
            elif action == "reactivate":
                target = get_object_or_404(selectors.users_list(), pk=parse_id(request.POST.get("user")))
                services.user_reactivate(user=target, actor=request.user)
                messages.success(request, _("%(email)s is active again and can sign in.") % {"email": target.email})
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("manage-users")
    limits = services.tenant_limits()
    return render(request, "courses/manage_users.html", {
        "users": selectors.users_list(), "roles": services.TENANT_ROLES,
        "role_choices": [(role.value, role.label) for role in services.TENANT_ROLES],
        "seats_used": services.seats_used(), "seats_reserved": services.seats_reserved(),
        "seat_limit": limits.seat_limit})


@administrator_required
def manage_user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation, then deactivation: the user is signed out everywhere and told by e-mail (SPEC R29)."""
    target = get_object_or_404(selectors.users_list(), pk=pk)
    if request.method == "POST":
        try:
            services.user_deactivate(user=target, actor=request.user)
        except ApplicationError as exc:
            _error(request, exc)
            return render(request, "courses/manage_user_deactivate.html", {"target": target},
                          status=exc.status_code)
        messages.success(request, _("%(email)s is deactivated and signed out everywhere.") % {"email": target.email})
        return redirect("manage-users")
    return render(request, "courses/manage_user_deactivate.html", {"target": target})


@administrator_required
def manage_user_invitation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation, then the invitation is cancelled: its link stops working and its seat is freed."""
    target = get_object_or_404(selectors.users_list(), pk=pk)
    if request.method != "POST" and (target.has_usable_password() or not target.is_active):
        messages.error(request, _("%(email)s has already accepted the invitation: deactivate the account instead.")
                       % {"email": target.email})
        return redirect("manage-users")
    if request.method == "POST":
        try:
            services.user_invitation_cancel(user=target, actor=request.user)
        except ApplicationError as exc:
            _error(request, exc)
            return redirect("manage-users")
        messages.success(request, _("The invitation of %(email)s is cancelled; its seat is free.")
                         % {"email": target.email})
        return redirect("manage-users")
    return render(request, "courses/manage_user_invitation_cancel.html", {"target": target})


@administrator_required
def manage_user_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation, then erasure (right to erasure, SPEC R29): the same as the user's own account deletion."""
    target = get_object_or_404(selectors.users_list(), pk=pk)
    if request.method == "POST":
        try:
            services.user_erase(user=target, actor=request.user, confirm_email=request.POST.get("email", ""))
        except ApplicationError as exc:
            _error(request, exc)
            return render(request, "courses/manage_user_erase.html", {"target": target}, status=exc.status_code)
        messages.success(request, _("The user was erased; their posts stay without their name."))
        return redirect("manage-users")
    return render(request, "courses/manage_user_erase.html", {"target": target})
