"""Tenant-host pages of the tenants app: information screen, timeline, exports (the invitation page
is mooc_platform.accounts.views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError

from .exports import export_download_url
from .middleware import tenant_restriction
from .models import TenantExport
from .selectors import tenant_storage_status, tenant_timeline
from .services import tenant_export_request


def _tenant_host(request: HttpRequest) -> None:
    if getattr(request, "tenant", None) is None or request.tenant.is_platform:
        raise Http404


@login_required
def account_status(request: HttpRequest) -> HttpResponse:
    """The information screen of a suspended / ended / retention tenant (SPEC R11, R14)."""
    _tenant_host(request)
    restriction = tenant_restriction(request.tenant)
    if restriction is None:
        return redirect("home")
    return render(request, "tenants/account_status.html", {
        "tenant": request.tenant, "code": restriction[0], "message": restriction[1],
        "is_admin": request.user.is_tenant_admin})


@administrator_required
def timeline(request: HttpRequest) -> HttpResponse:
    _tenant_host(request)
    return render(request, "tenants/timeline.html", {
        "tenant": request.tenant, "steps": tenant_timeline(tenant=request.tenant, now=timezone.now()),
        "storage": tenant_storage_status(tenant=request.tenant)})


@administrator_required
@require_http_methods(["GET", "POST"])
def exports_page(request: HttpRequest) -> HttpResponse:
    """Read-only page to request and download full exports (works in retention, SPEC R14)."""
    _tenant_host(request)
    if request.method == "POST":
        try:
            tenant_export_request(tenant=request.tenant, actor=request.user)
            messages.success(request, _("Your export is being prepared; you will receive an e-mail when it is ready."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("tenant-exports")
    exports = [(e, export_download_url(export=e)) for e in TenantExport.objects.filter(tenant=request.tenant)[:20]]
    return render(request, "tenants/exports.html", {"tenant": request.tenant, "exports": exports})
