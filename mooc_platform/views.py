"""The shell's pages: home pages of the platform and of a tenant, login."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .accounts.throttling import login_owner_proven
from .accounts.tokens import user_sign_out_everywhere
from .forms import EmailAuthenticationForm
from .http import client_ip, configured_host


def platform_home(request: HttpRequest) -> HttpResponse:
    return render(request, "platform_home.html")


class EmailLoginView(LoginView):
    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session (this one too) and revoke every API token of the signed-in user (issue 11 item 3)."""
    user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("You are signed out on every device and every API token is revoked."))
    return redirect("login")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, whose e-mailed link uses the configured scheme and host, never the request's
    Host header or port (a forged Host would otherwise send the reset token to the attacker's server)."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = {**(self.extra_email_context or {}), "protocol": settings.PLATFORM_URL_SCHEME,
                                    "domain": configured_host(self.request)}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's "choose a new password" page. Completing it proves the owner (the link reached their
    mailbox): the account's failed sign-ins are forgotten and this address becomes a usual one, so a lock
    set by someone guessing elsewhere never keeps the owner out (issue 11 item 2)."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        login_owner_proven(email=form.user.email, ip=client_ip(self.request) or "")
        return response
