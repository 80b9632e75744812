"""Page: the organisation's branding; its colours as a stylesheet."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError

from .. import selectors, services
from .common import _error, _int_or_none


@administrator_required
def manage_branding(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.branding_update(
                actor=request.user, name=request.POST.get("name"), primary_color=request.POST.get("primary_color"),
                accent_color=request.POST.get("accent_color"), default_language=request.POST.get("default_language"),
                logo_upload_id=_int_or_none(request.POST.get("upload_id")),
                logo_remove=bool(request.POST.get("logo_remove")))
            messages.success(request, _("Branding saved."))
        except ApplicationError as exc:
            _error(request, exc)
            for field_name, errors in exc.details.items():
                messages.error(request, f"{field_name}: {' '.join(map(str, errors))}")
        return redirect("manage-branding")
    limits = services.tenant_limits()
    return render(request, "courses/manage_branding.html", {
        "branding": selectors.branding_current(), "display_name": services.branding_display_name(),
        "limits": limits, "storage_percent": round(limits.storage_used_bytes * 100 / limits.storage_quota_bytes, 1)
        if limits.storage_quota_bytes else 100})


COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\Z")


def branding_css(request: HttpRequest) -> HttpResponse:
    """The organisation's colours as CSS variables, a stylesheet of its own: the Content-Security-Policy
    allows no inline style (issue 11 item 8). Only well-formed colours are written."""
    current = selectors.branding_current()
    rules = [f"--{name}: {value};" for name, value in
             (("brand", getattr(current, "primary_color", "")), ("accent", getattr(current, "accent_color", "")))
             if value and COLOUR.match(value)]
    response = HttpResponse(":root { " + " ".join(rules) + " }\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"  # the page links it with its colours in the query
    return response
