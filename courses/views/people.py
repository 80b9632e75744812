"""Pages: the invitation link, my profile, the administrator's user list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mooc_platform.errors import ApplicationError
from mooc_platform.i18n import LANGUAGE_CODES

from .. import selectors, services
from .common import _error, admin_required


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.user_invitation_get(token=token)
    except ApplicationError as exc:
        return render(request, "courses/invitation.html", {"invalid": exc.message}, status=400)
    errors: list[str] = []
    if request.method == "POST":
        password, confirm = request.POST.get("password1", ""), request.POST.get("password2", "")
        if password != confirm:
            errors.append(_("The two passwords differ."))
        else:
            try:
                services.user_invitation_accept(token=token, password=password)
            except ApplicationError as exc:
                errors.extend(exc.details.get("password", [exc.message]))
            else:
                messages.success(request, _("Your password is set: log in."))
                return redirect("login")
    return render(request, "courses/invitation.html", {"invited": invitation.user, "errors": errors})


@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        user.full_name = request.POST.get("full_name", user.full_name).strip()[:200]
        if request.POST.get("language") in LANGUAGE_CODES:
            user.language = request.POST["language"]
        user.save(update_fields=["full_name", "language"])
        messages.success(request, _("Profile saved."))
        return redirect("my-profile")
    return render(request, "courses/my_profile.html", {"profile": user})


@admin_required
def manage_users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                user, _token = services.user_invite(
                    email=request.POST.get("email", ""), role=request.POST.get("role", "learner"),
                    full_name=request.POST.get("full_name", ""), base_url=request.build_absolute_uri("/"),
                    invited_by=request.user)
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            elif action == "resend":
                target = get_object_or_404(selectors.users_list(), pk=request.POST.get("user"))
                services.user_invitation_resend(user=target, base_url=request.build_absolute_uri("/"))
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": target.email})
            elif action == "role":
                target = get_object_or_404(selectors.users_list(), pk=request.POST.get("user"))
                changed = services.user_role_change(user=target, role=request.POST.get("role", ""),
                                                    actor=request.user)
                messages.success(request, _("%(email)s is now: %(role)s.") % {
                    "email": changed.email, "role": changed.get_role_display()})
            elif action in ("deactivate", "reactivate"):
                target = get_object_or_404(selectors.users_list(), pk=request.POST.get("user"))
                if action == "deactivate":
                    services.user_deactivate(user=target, actor=request.user)
                else:
                    services.user_reactivate(user=target, actor=request.user)
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("manage-users")
    limits = services.tenant_limits()
    return render(request, "courses/manage_users.html", {
        "users": selectors.users_list(), "roles": services.TENANT_ROLES,
        "role_choices": [(role.value, role.label) for role in services.TENANT_ROLES],
        "seats_used": services.seats_used(),
        "seat_limit": limits.seat_limit})
