"""Reads of the invoicing app. Queries that cross customers say so in their name (`platform_…`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

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


def invoices_overdue(*, as_of: date | None = None) -> QuerySet[Invoice]:
    """Issued, unpaid invoices whose due date has passed on `as_of` (Europe/Paris date)."""
    return Invoice.objects.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED,
                                  due_date__lt=as_of or business_date())
