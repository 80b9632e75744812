"""Reads of the invoicing app. Queries that cross customers say so in their name (`platform_…`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from tenants.models import Tenant

from .models import Invoice, Plan, Quote, Subscription
from .money import ZERO, business_date


def platform_plans_list() -> QuerySet[Plan]:
    return Plan.objects.prefetch_related("prices").order_by("name")


def platform_quotes_list(*, status: str | None = None) -> QuerySet[Quote]:
    quotes = Quote.objects.select_related("plan_price__plan").prefetch_related("lines").order_by("-id")
    return quotes.filter(status=status) if status else quotes


def platform_invoices_list(*, status: str | None = None, tenant_id: int | None = None) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("tenant", "credited_invoice").prefetch_related("lines").order_by("-id")
    if status:
        invoices = invoices.filter(status=status)
    if tenant_id:
        invoices = invoices.filter(tenant_id=tenant_id)
    return invoices


def quote_by_token(*, token: str) -> Quote | None:
    return Quote.objects.select_related("plan_price__plan").prefetch_related("lines").filter(token=token).first()


def tenant_invoices(*, tenant: Tenant) -> QuerySet[Invoice]:
    """The numbered documents (invoices and credit notes) of one customer, newest first."""
    return (Invoice.objects.filter(tenant=tenant).exclude(kind=Invoice.Kind.PRO_FORMA)
            .select_related("credited_invoice").order_by("-issue_date", "-id"))


def tenant_subscription(*, tenant: Tenant) -> Subscription | None:
    """The customer's current subscription (the newest), or None (e.g. the demo tenants)."""
    return Subscription.objects.filter(tenant=tenant).select_related("plan").order_by("-id").first()


def tenant_balance(*, tenant: Tenant) -> Decimal:
    """What the customer owes in total (incl. tax and late charges) on all its unpaid invoices."""
    return sum((invoice.balance_due for invoice in
                Invoice.objects.filter(tenant=tenant, kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED)),
               ZERO)


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
    unpaid = Q(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED)
    still_due = F("total_incl_tax") + F("recovery_indemnity") + F("late_interest") - F("amount_paid")
    return {
        "invoiced": _invoice_sum(tenant_ref=tenant_ref, amount=F("total_incl_tax"),
                                 condition=Q(kind__in=[Invoice.Kind.INVOICE, Invoice.Kind.CREDIT_NOTE])),
        "late_charges": _invoice_sum(tenant_ref=tenant_ref, amount=F("recovery_indemnity") + F("late_interest"),
                                     condition=Q(kind=Invoice.Kind.INVOICE) & ~Q(status=Invoice.Status.CREDITED)),
        "paid": _invoice_sum(tenant_ref=tenant_ref, amount=F("amount_paid"), condition=Q(kind=Invoice.Kind.INVOICE)),
        "balance_due": _invoice_sum(tenant_ref=tenant_ref, amount=still_due, condition=unpaid),
        "overdue": _invoice_sum(tenant_ref=tenant_ref, amount=still_due, condition=unpaid & Q(due_date__lt=as_of)),
    }


def platform_customers_balances(*, as_of: date | None = None) -> QuerySet[Tenant]:
    """Every customer (a tenant that has or had a subscription), across tenants, each annotated with
    `invoiced`, `late_charges`, `paid`, `balance_due` and `overdue` (see `customer_balance_annotations`),
    and `subscription_id` / `subscription_status` of its newest subscription. Set-based: one query
    for the whole list (SPEC §5, no N+1) — balance per customer (SPEC R9)."""
    newest = Subscription.objects.filter(tenant_id=OuterRef("pk")).order_by("-id")
    return (Tenant.objects.filter(Exists(Subscription.objects.filter(tenant_id=OuterRef("pk"))))
            .annotate(**customer_balance_annotations(tenant_ref=OuterRef("pk"), as_of=as_of or business_date()),
                      subscription_id=Subquery(newest.values("id")[:1]),
                      subscription_status=Subquery(newest.values("status")[:1]),
                      buyer_name=Subquery(newest.values("buyer_name")[:1]))
            .order_by("slug"))


def invoices_overdue(*, as_of: date | None = None) -> QuerySet[Invoice]:
    """Issued, unpaid invoices whose due date has passed on `as_of` (Europe/Paris date)."""
    return Invoice.objects.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED,
                                  due_date__lt=as_of or business_date())
