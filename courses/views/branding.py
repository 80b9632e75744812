"""Page: the organisation's branding."""

from __future__ import annotations

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
