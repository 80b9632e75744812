"""Tenant-host pages of the tenants app: information screen, timeline, exports, and the customer
administrators' pages for support access, custom domains and the audit log (issue 13). The invitation page
is mooc_platform.accounts.views. Thin: forms check the input's shape, services the rules, selectors read."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.business_time import platform_tz
from mooc_platform.errors import ApplicationError
from mooc_platform.input_guards import parse_id
from mooc_platform.spreadsheets import SafeCsvWriter

from . import selectors, services
from .dns import verification_record_name
from .exports import export_download_url
from .forms import AuditLogFilterForm, CustomDomainForm, SupportGrantForm
from .middleware import tenant_restriction
from .models import Tenant, TenantExport
from .selectors import tenant_storage_status, tenant_timeline
from .services import tenant_export_request

AUDIT_PAGE_SIZE = 50
AUDIT_CSV_MAX_ROWS = 50_000


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
    exports = [(e, export_download_url(export=e)) for e in selectors.tenant_exports(tenant=request.tenant)]
    return render(request, "tenants/exports.html", {
        "tenant": request.tenant, "exports": exports,
        "in_progress": any(e.status in _EXPORT_WORKING for e, _url in exports)})


_EXPORT_WORKING = (TenantExport.Status.PENDING, TenantExport.Status.RUNNING)


@administrator_required
def exports_status(request: HttpRequest) -> JsonResponse:
    """The exports' progress for the exports page, which polls it while one is being prepared (issue 13)."""
    _tenant_host(request)
    rows = []
    for export in selectors.tenant_exports(tenant=request.tenant):
        rows.append({"id": export.pk, "status": export.status, "status_label": str(export.get_status_display()),
                     "in_progress": export.status in _EXPORT_WORKING,
                     "download_url": export_download_url(export=export),
                     "download_label": _("Download (%(size)s)") % {"size": _filesize(export.size_bytes)}})
    return JsonResponse({"in_progress": any(r["in_progress"] for r in rows), "exports": rows})


def _filesize(size: int) -> str:
    return str(filesizeformat(size))


# --- Support access (SPEC R19, GCS art. 5) ----------------------------------------------------------------


@administrator_required
@require_http_methods(["GET", "POST"])
def support_access(request: HttpRequest) -> HttpResponse:
    """Grants with every operator read under each; the form grants access for N days to a scope."""
    _tenant_host(request)
    form = SupportGrantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                grant = services.support_grant_create(
                    tenant=request.tenant, actor=request.user, scope=form.cleaned_data["scope"],
                    expires_at=timezone.now() + timedelta(days=form.cleaned_data["days"]),
                    reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("Support may see %(scope)s until %(date)s.") % {
                    "scope": grant.get_scope_display(), "date": _when(grant.expires_at)})
                return redirect("tenant-support-access")
        else:
            status = 400
    return render(request, "tenants/support_access.html", {
        "form": form, "grants": selectors.support_grants_with_accesses(tenant=request.tenant),
        "now": timezone.now()}, status=status)


@administrator_required
@require_http_methods(["GET", "POST"])
def support_access_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation, then the revocation: operators lose access at once."""
    _tenant_host(request)
    grant = selectors.support_grant_of_tenant(tenant=request.tenant, pk=parse_id(str(pk)))
    if grant is None:
        raise Http404
    if request.method == "POST":
        try:
            services.support_grant_revoke(grant=grant, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Support access revoked: operators no longer see your content."))
        return redirect("tenant-support-access")
    return render(request, "tenants/support_access_revoke.html", {"grant": grant, "now": timezone.now()})


def _when(moment: object) -> str:
    return date_format(timezone.localtime(moment, platform_tz()), "DATETIME_FORMAT")  # type: ignore[arg-type]


# --- Custom domains (SPEC R1) ------------------------------------------------------------------------------


@administrator_required
@require_http_methods(["GET", "POST"])
def custom_domains(request: HttpRequest) -> HttpResponse:
    """Request a domain; each shows the DNS record to publish and its status."""
    _tenant_host(request)
    form = CustomDomainForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                custom = services.custom_domain_request(tenant=request.tenant, domain=form.cleaned_data["domain"],
                                                        actor=request.user)
            except ApplicationError as exc:
                form.add_error("domain", exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("%(domain)s is registered: publish the DNS record below, then verify it.")
                                 % {"domain": custom.domain})
                return redirect("tenant-domains")
        else:
            status = 400
    tenant = Tenant.objects.get(pk=request.tenant.pk)
    domains = [(d, verification_record_name(domain=d.domain)) for d in
               selectors.custom_domains_of_tenant(tenant=tenant)]
    return render(request, "tenants/custom_domains.html", {
        "form": form, "domains": domains, "allowed": tenant.custom_domains_allowed}, status=status)


@administrator_required
@require_POST
def custom_domain_verify(request: HttpRequest, pk: int) -> HttpResponse:
    _tenant_host(request)
    custom = selectors.custom_domain_of_tenant(tenant=request.tenant, pk=parse_id(str(pk)))
    if custom is None:
        raise Http404
    try:
        services.custom_domain_verify(custom_domain=custom)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(domain)s is verified; it will answer once the platform approved it.")
                         % {"domain": custom.domain})
    return redirect("tenant-domains")


# --- The organisation's audit log ----------------------------------------------------------------------------


def _audit_events(request: HttpRequest) -> tuple[AuditLogFilterForm, object]:
    form = AuditLogFilterForm(request.GET)
    if not form.is_valid():
        return form, selectors.audit_events_for_tenant(tenant=request.tenant).none()
    since, until = form.bounds()
    return form, selectors.audit_events_for_tenant_filtered(
        tenant=request.tenant, actor=form.cleaned_data["actor"].strip(), action=form.cleaned_data["action"].strip(),
        since=since, until=until)


# The audit log names what an event was about by the row's model: the page says it in the reader's language
# (the CSV keeps the model's name, a stable code).
AUDIT_TARGET_LABELS = {
    "Tenant": gettext_lazy("Organisation"), "User": gettext_lazy("User"), "Claim": gettext_lazy("Claim"),
    "SupportAccessGrant": gettext_lazy("Support access"), "ApiKey": gettext_lazy("API key"),
    "WebhookEndpoint": gettext_lazy("Webhook endpoint"), "Invoice": gettext_lazy("Invoice"),
    "Subscription": gettext_lazy("Subscription"), "Quote": gettext_lazy("Quote"),
    "CustomDomain": gettext_lazy("Domain"), "TenantExport": gettext_lazy("Data export"),
    "Course": gettext_lazy("Course"), "Post": gettext_lazy("Post"), "Branding": gettext_lazy("Branding"),
}


@administrator_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every event of the organisation (support reads included), filtered, 50 a page, and its CSV."""
    _tenant_host(request)
    form, events = _audit_events(request)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    for event in page.object_list:
        event.target_label = AUDIT_TARGET_LABELS.get(event.target_type, event.target_type)
    return render(request, "tenants/audit_log.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "actions": selectors.audit_actions_of_tenant(tenant=request.tenant)},
        status=200 if form.is_valid() else 400)


@administrator_required
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    _tenant_host(request)
    form, events = _audit_events(request)
    if not form.is_valid():
        return audit_log(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{request.tenant.slug}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["created_at", "actor_email", "action", "target_type", "target_id", "ip_address", "before",
                     "after"])
    tz = platform_tz()
    for event in events[:AUDIT_CSV_MAX_ROWS]:
        writer.writerow([timezone.localtime(event.created_at, tz).isoformat(), event.actor_email, event.action,
                         event.target_type, event.target_id, event.ip_address or "",
                         _json(event.before), _json(event.after)])
    return response


def _json(value: object) -> str:

    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
