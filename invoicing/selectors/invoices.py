"""Reads of invoices and credit notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from mooc_platform.business_time import business_date
from tenants.models import Tenant

from ..models import Invoice
from ..money import ZERO


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


@dataclass(frozen=True)
class OpenInvoice:
    """An unpaid invoice as its customer sees it on `as_of`: what is still to pay (late charges included), by when,
    and whether it is late (after its due date, `overdue_q`) and by how many days."""

    invoice: Invoice
    amount_due: Decimal
    late_charges: Decimal
    due_date: date
    due_today: bool
    overdue: bool
    days_late: int


@dataclass(frozen=True)
class AmountsOwed:
    """What a customer owes on `as_of`: its unpaid invoices, oldest due first; `total` of them, the `overdue` part,
    and `next_due_date`, the earliest due date not passed yet (None when every unpaid invoice is late or none)."""

    invoices: list[OpenInvoice]
    total: Decimal
    overdue: Decimal
    next_due_date: date | None


def tenant_amounts_owed(*, tenant: Tenant, as_of: date | None = None) -> AmountsOwed:
    as_of = as_of or business_date()
    rows = [OpenInvoice(invoice=invoice, amount_due=invoice.balance_due,
                        late_charges=invoice.recovery_indemnity + invoice.late_interest, due_date=invoice.due_date,
                        due_today=invoice.due_date == as_of, overdue=invoice.due_date < as_of,
                        days_late=max((as_of - invoice.due_date).days, 0))
            for invoice in Invoice.objects.filter(unpaid_q(), tenant=tenant).order_by("due_date", "id")
            if invoice.balance_due > 0]
    upcoming = [row.due_date for row in rows if not row.overdue]
    return AmountsOwed(invoices=rows, total=sum((row.amount_due for row in rows), ZERO),
                       overdue=sum((row.amount_due for row in rows if row.overdue), ZERO),
                       next_due_date=min(upcoming) if upcoming else None)
