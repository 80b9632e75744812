"""Reads of claims: a tenant's own (its administrators), and across tenants for the operators' queue."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from invoicing.models import Invoice
from invoicing.selectors.invoices import tenant_invoices
from maintenance.models import MaintenanceWindow
from tenants.models import Tenant

from .models import Claim


def claims_of_tenant(*, tenant: Tenant) -> QuerySet[Claim]:
    """The tenant's claims, newest first."""
    return Claim.objects.filter(tenant=tenant).select_related("invoice", "maintenance_window")


def claim_of_tenant(*, tenant: Tenant, claim_id: int) -> Claim | None:
    """The tenant's claim `claim_id`, None when it is not one of its own (another tenant's: not found)."""
    return claims_of_tenant(tenant=tenant).filter(pk=claim_id).first()


def claims_search_all_tenants(*, status: str = "", tenant_id: int | None = None, late: bool | None = None,
                              q: str = "") -> QuerySet[Claim]:
    """Across tenants (operators): claims by status (`open` = open or in progress), tenant, lateness, words.
    Oldest open first is the operators' order of work; the queue sorts by receipt, oldest first."""
    found = Claim.objects.select_related("tenant", "invoice", "maintenance_window")
    if status == "open":
        found = found.filter(status__in=Claim.OPEN_STATUSES)
    elif status:
        found = found.filter(status=status)
    if tenant_id is not None:
        found = found.filter(tenant_id=tenant_id)
    if late is not None:
        found = found.filter(late=late)
    if q.strip():
        words = q.strip()
        found = found.filter(Q(subject__icontains=words) | Q(body__icontains=words) | Q(tenant__name__icontains=words)
                             | Q(tenant__slug__icontains=words) | Q(filed_by_email__icontains=words))
    return found.order_by("received_at", "id")


def claims_open_count_all_tenants() -> int:
    """Across tenants: the claims waiting for an operator (open or in progress)."""
    return Claim.objects.filter(status__in=Claim.OPEN_STATUSES).count()


def claim_invoices_choosable(*, tenant: Tenant) -> QuerySet[Invoice]:
    """The tenant's issued invoices and credit notes (never pro forma): what a claim may be about."""
    return tenant_invoices(tenant=tenant)


def claim_windows_choosable(*, tenant: Tenant, now: datetime) -> QuerySet[MaintenanceWindow]:
    """Maintenance windows that concerned the tenant and have started (a claim is about a past event)."""
    return (MaintenanceWindow.objects.filter(Q(scope=MaintenanceWindow.Scope.ALL) | Q(tenants=tenant))
            .filter(start__lte=now).distinct().order_by("-start", "-id"))
