"""Where a customer stands outside billing: collective proceedings (SPEC R27 — `001_…` §5.5), the retirement of
its plan (SPEC R24)."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Tenant

from ..models import CollectiveProceedings, SubscriptionRetirement


def tenant_collective_proceedings_open(*, tenant: Tenant) -> CollectiveProceedings | None:
    """The proceedings in progress for `tenant`, or None."""
    return CollectiveProceedings.objects.filter(tenant=tenant, ended_at__isnull=True).first()


def platform_tenant_ids_under_collective_proceedings() -> QuerySet[CollectiveProceedings]:
    """Across customers: the ids of the tenants under collective proceedings now (a subquery)."""
    return CollectiveProceedings.objects.filter(ended_at__isnull=True).values("tenant_id")


def tenant_plan_retirement(*, tenant: Tenant) -> SubscriptionRetirement | None:
    """The retirement of the plan of `tenant`'s subscription, if its plan was retired while it subscribed."""
    return (SubscriptionRetirement.objects.select_related("retirement__plan").filter(tenant=tenant)
            .order_by("-id").first())
