"""Reads of plans."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Plan


def platform_plans_list() -> QuerySet[Plan]:
    return Plan.objects.prefetch_related("prices").order_by("name")
