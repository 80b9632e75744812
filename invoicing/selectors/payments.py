"""Balances per invoice and per customer (SPEC R9), computed in the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from mooc_platform.business_time import business_date
from tenants.models import Tenant

from ..models import CustomerCredit, Invoice, Subscription
from ..money import ZERO
from .invoices import overdue_q, unpaid_q


def tenant_balance(*, tenant: Tenant) -> Decimal:
    """What the customer owes in total (incl. tax and late charges) on all its unpaid invoices."""
    return sum((invoice.balance_due for invoice in
                Invoice.objects.filter(tenant=tenant, kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED)),
               ZERO)


def tenant_credit(*, tenant: Tenant) -> Decimal:
    """The customer's credit not used yet (payments of invoices later credited), which its next invoices use."""
    return CustomerCredit.objects.filter(tenant=tenant).aggregate(
        total=Coalesce(Sum("remaining"), Value(ZERO), output_field=DecimalField(max_digits=12, decimal_places=2))
    )["total"]


SETTLEMENT_GRACE_DAYS = 7
"""Paying the balance shown on a day settles the invoices if received within this many days (SPEC R10): the
interest of the days in between is waived (`invoicing.services.dunning.invoice_settlement_check`)."""


def tenant_balance_settles_by(*, tenant: Tenant) -> date | None:
    """The last receipt date on which paying the balance shown now settles the customer's invoices although
    interest keeps running: the date the late charges shown were computed (the oldest, the dunning run updates
    them daily) + SETTLEMENT_GRACE_DAYS. None when no invoice bears interest."""
    computed = (Invoice.objects.filter(tenant=tenant, kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED,
                                       late_interest__gt=0, late_interest_until__isnull=False)
                .order_by("late_interest_until").values_list("late_interest_until", flat=True).first())
    return computed + timedelta(days=SETTLEMENT_GRACE_DAYS) if computed else None


def _invoice_sum(*, tenant_ref: OuterRef, amount: Any, condition: Q) -> Coalesce:
    """One correlated `SUM` over the invoices of the tenant `tenant_ref` points at, zero when none."""
    sums = (Invoice.objects.filter(condition, tenant_id=tenant_ref).order_by().values("tenant_id")
            .annotate(total=Sum(amount)).values("total")[:1])
    money = DecimalField(max_digits=12, decimal_places=2)
    return Coalesce(Subquery(sums, output_field=money), Value(ZERO), output_field=money)


def customer_balance_annotations(*, tenant_ref: OuterRef, as_of: date) -> dict[str, Coalesce]:
    """The per-customer amounts (EUR incl. tax) as annotations of a queryset whose rows point at a tenant:

    - `invoiced`: invoices and credit notes issued (credit notes are negative), late charges excluded;
    - `late_charges`: EUR 40 indemnities and late interest on invoices not cancelled by a credit note;
    - `paid`: payments received;
    - `balance_due`: still to pay on unpaid invoices, late charges included (what dunning chases);
    - `overdue`: the part of `balance_due` whose due date is before `as_of` (Europe/Paris date).
    Each is one correlated subquery: the list costs one query whatever the number of customers."""
    unpaid = unpaid_q()
    still_due = F("total_incl_tax") + F("recovery_indemnity") + F("late_interest") - F("amount_paid")
    return {
        "invoiced": _invoice_sum(tenant_ref=tenant_ref, amount=F("total_incl_tax"),
                                 condition=Q(kind__in=[Invoice.Kind.INVOICE, Invoice.Kind.CREDIT_NOTE])),
        "late_charges": _invoice_sum(tenant_ref=tenant_ref, amount=F("recovery_indemnity") + F("late_interest"),
                                     condition=Q(kind=Invoice.Kind.INVOICE) & ~Q(status=Invoice.Status.CREDITED)),
        "paid": _invoice_sum(tenant_ref=tenant_ref, amount=F("amount_paid"), condition=Q(kind=Invoice.Kind.INVOICE)),
        "balance_due": _invoice_sum(tenant_ref=tenant_ref, amount=still_due, condition=unpaid),
        "overdue": _invoice_sum(tenant_ref=tenant_ref, amount=still_due, condition=overdue_q(as_of=as_of)),
    }


def _credit_sum(*, tenant_ref: OuterRef) -> Coalesce:
    sums = (CustomerCredit.objects.filter(tenant_id=tenant_ref).order_by().values("tenant_id")
            .annotate(total=Sum("remaining")).values("total")[:1])
    money = DecimalField(max_digits=12, decimal_places=2)
    return Coalesce(Subquery(sums, output_field=money), Value(ZERO), output_field=money)


def platform_customers_balances(*, as_of: date | None = None) -> QuerySet[Tenant]:
    """Every customer (a tenant that has or had a subscription), across tenants, each annotated with
    `invoiced`, `late_charges`, `paid`, `balance_due` and `overdue` (see `customer_balance_annotations`), `credit`
    (payments of credited invoices not used yet by a later invoice),
    and `subscription_id` / `subscription_status` of its newest subscription. Set-based: one query
    for the whole list (SPEC §5, no N+1) — balance per customer (SPEC R9)."""
    newest = Subscription.objects.filter(tenant_id=OuterRef("pk")).order_by("-id")
    return (Tenant.objects.filter(Exists(Subscription.objects.filter(tenant_id=OuterRef("pk"))))
            .annotate(**customer_balance_annotations(tenant_ref=OuterRef("pk"), as_of=as_of or business_date()),
                      credit=_credit_sum(tenant_ref=OuterRef("pk")),
                      subscription_id=Subquery(newest.values("id")[:1]),
                      subscription_status=Subquery(newest.values("status")[:1]),
                      buyer_name=Subquery(newest.values("buyer_name")[:1]))
            .order_by("slug"))
