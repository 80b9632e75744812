"""Reads of subscriptions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Sum

from mooc_platform.business_time import business_date
from tenants.models import Tenant

from ..models import Invoice, Subscription


def tenant_subscription(*, tenant: Tenant) -> Subscription | None:
    """The customer's current subscription (the newest), or None (e.g. the demo tenants)."""
    return Subscription.objects.filter(tenant=tenant).select_related("plan").order_by("-id").first()


def tenant_billing_summary_by_schema(*, schema_name: str, as_of: date | None = None) -> dict[str, Any]:
    """The billing figures of the administrators' dashboard (issue 13 item 1), by value for the tenant apps
    (they never import invoicing; reached through settings.TENANT_BILLING_READER): the invoices due on `as_of`
    (count, total still owed, earliest due date) and the subscription's next renewal. Two queries."""
    from .invoices import due_q

    as_of = as_of or business_date()
    due = (Invoice.objects.filter(due_q(as_of=as_of), tenant__schema_name=schema_name)
           .aggregate(count=Count("id"), total=Sum(F("total_incl_tax") - F("amount_paid")), first=Min("due_date")))
    subscription = (Subscription.objects.filter(tenant__schema_name=schema_name).order_by("-id")
                    .values("status", "next_period_start", "billing_period").first())
    return {"invoices_due_count": due["count"], "invoices_due_total": due["total"] or Decimal("0.00"),
            "invoices_due_first": due["first"],
            "renewal_on": subscription["next_period_start"] if subscription else None,
            "renews": bool(subscription and subscription["status"] == Subscription.Status.ACTIVE)}
