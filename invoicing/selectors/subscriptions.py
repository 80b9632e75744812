"""Reads of subscriptions."""

from __future__ import annotations

from tenants.models import Tenant

from ..models import Subscription


def tenant_subscription(*, tenant: Tenant) -> Subscription | None:
    """The customer's current subscription (the newest), or None (e.g. the demo tenants)."""
    return Subscription.objects.filter(tenant=tenant).select_related("plan").order_by("-id").first()
