"""Reads of plans and of the public price list (SPEC R7, R30 — GCS art. 11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Plan, PlanPrice


def platform_plans_list() -> QuerySet[Plan]:
    return Plan.objects.prefetch_related("prices").order_by("name")


@dataclass(frozen=True)
class PublicPrice:
    """A plan on the public price list: the version in force (`current`, effective since `current.valid_from`)
    and the next version already published with a later date, if any (`upcoming`)."""

    plan: Plan
    current: PlanPrice
    upcoming: PlanPrice | None


def public_prices(*, at: datetime | None = None) -> list[PublicPrice]:
    """Every plan on sale (active, with a price in force at `at`, default now), by name: what `/pricing/` shows.
    Amounts are EUR excluding tax (GCS art. 11: taxes in force on the invoice date are added)."""
    at = at or timezone.now()
    listed = []
    for plan in Plan.objects.filter(is_active=True).prefetch_related("prices").order_by("name"):
        prices = sorted(plan.prices.all(), key=lambda p: (p.valid_from, p.version))
        in_force = [p for p in prices if p.valid_from <= at]
        if not in_force:
            continue
        later = [p for p in prices if p.valid_from > at]
        listed.append(PublicPrice(plan=plan, current=in_force[-1], upcoming=later[0] if later else None))
    return listed
