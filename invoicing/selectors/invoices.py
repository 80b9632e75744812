"""Reads of invoices and credit notes."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from mooc_platform.business_time import business_date
from tenants.models import Tenant

from ..models import Invoice


def platform_invoices_list(*, status: str | None = None, tenant_id: int | None = None,
                           credit_note_proposed: bool = False) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("tenant", "credited_invoice").prefetch_related("lines").order_by("-id")
    if credit_note_proposed:
        invoices = invoices.filter(pk__in=invoices_credit_note_proposed().values("pk"))
    if status:
        invoices = invoices.filter(status=status)
    if tenant_id:
        invoices = invoices.filter(tenant_id=tenant_id)
    return invoices


def tenant_invoices(*, tenant: Tenant) -> QuerySet[Invoice]:
    """The numbered documents (invoices and credit notes) of one customer, newest first."""
    return (Invoice.objects.filter(tenant=tenant).exclude(kind=Invoice.Kind.PRO_FORMA)
            .select_related("credited_invoice").order_by("-issue_date", "-id"))


# "Due" and "overdue", the one definition of each (SPEC R10), as conditions that querysets, locks and
# annotations share. `as_of` is a Paris business date.
def unpaid_q() -> Q:
    """An issued invoice not paid yet (not a credit note, not a pro forma, not credited)."""
    return Q(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED)


def due_q(*, as_of: date) -> Q:
    """Unpaid and payable on `as_of`: its due date is reached, the day itself included. What the formal
    notice goes out for, and what blocks reinstatement and resubscription (complete payment of the sums
    due, GCS art. 4)."""
    return unpaid_q() & Q(due_date__lte=as_of)


def overdue_q(*, as_of: date) -> Q:
    """Unpaid after its due date: late on `as_of` (the due date itself is not late). What bears late
    charges and counts as overdue in balances."""
    return unpaid_q() & Q(due_date__lt=as_of)


def invoices_overdue(*, as_of: date | None = None) -> QuerySet[Invoice]:
    """Issued, unpaid invoices whose due date has passed on `as_of` (Europe/Paris date)."""
    return Invoice.objects.filter(overdue_q(as_of=as_of or business_date()))


def invoices_due(*, as_of: date | None = None) -> QuerySet[Invoice]:
    """Issued, unpaid invoices payable on `as_of` (Europe/Paris date), that date included (`due_q`)."""
    return Invoice.objects.filter(due_q(as_of=as_of or business_date()))


def invoices_credit_note_proposed() -> QuerySet[Invoice]:
    """Across customers: invoices of periods after an operator's termination, not credited yet — a credit note is
    proposed to the operator for each (SPEC R13; `invoicing.services.subscription_terminate`)."""
    return (Invoice.objects.filter(kind=Invoice.Kind.INVOICE, credit_note_proposed_at__isnull=False)
            .exclude(status=Invoice.Status.CREDITED).select_related("tenant").order_by("credit_note_proposed_at", "id"))
