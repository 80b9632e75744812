"""The Django admin under /console/, kept for what it does well (lists, search, filters of records),
behind the console's own sign-in (password + second factor, idle expiry) and audited like the console."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .security import access_redirect, console_access, operator_required


class ConsoleAdminSite(admin.AdminSite):
    site_header = _("MOOC Platform — operator console")
    site_title = _("Operator console")
    index_title = _("Records")
    site_url = "/console/"

    def has_permission(self, request: HttpRequest) -> bool:
        return console_access(request) == "ok"

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        # The console's check first, so that a password-only session is sent to the second factor.
        return operator_required(super().admin_view(view, cacheable))

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        outcome = console_access(request)
        return access_redirect(request, "login" if outcome == "ok" else outcome)
