"""The shell's pages: home pages of the platform and of a tenant, login."""

from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import EmailAuthenticationForm


def platform_home(request: HttpRequest) -> HttpResponse:
    return render(request, "platform_home.html")


def tenant_home(request: HttpRequest) -> HttpResponse:
    return render(request, "tenant_home.html", {"tenant": request.tenant})


class EmailLoginView(LoginView):
    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True
