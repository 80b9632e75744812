"""Reads of invoices and credit notes."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from mooc_platform.business_time import business_date
from tenants.models import Tenant

from ..models import Invoice


def platform_invoices_list(*, status: str | None = None, tenant_id: int | None = None) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("tenant", "credited_invoice").prefetch_related("lines").order_by("-id")
    if status:
        invoices = invoices.filter(status=status)
    if tenant_id:
        invoices = invoices.filter(tenant_id=tenant_id)
    return invoices


def tenant_invoices(*, tenant: Tenant) -> QuerySet[Invoice]:
    """The numbered documents (invoices and credit notes) of one customer, newest first."""
    return (Invoice.objects.filter(tenant=tenant).exclude(kind=Invoice.Kind.PRO_FORMA)
            .select_related("credited_invoice").order_by("-issue_date", "-id"))


def invoices_overdue(*, as_of: date | None = None) -> QuerySet[Invoice]:
    """Issued, unpaid invoices whose due date has passed on `as_of` (Europe/Paris date)."""
    return Invoice.objects.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED,
                                  due_date__lt=as_of or business_date())
