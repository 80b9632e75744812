"""Reads of the terms of sale (SPEC R22) and of a customer's signed orders."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from tenants.models import Tenant

from ..models import Quote, TermsVersion


def terms_in_force(*, at: datetime | None = None) -> TermsVersion | None:
    """The terms version that applies to a quote sent at `at` (default now): the latest effective by then."""
    return (TermsVersion.objects.filter(effective_at__lte=at or timezone.now())
            .order_by("-effective_at", "-id").first())


def terms_versions_list() -> QuerySet[TermsVersion]:
    return TermsVersion.objects.order_by("-effective_at", "-id")


def tenant_signed_orders(*, tenant: Tenant) -> QuerySet[Quote]:
    """The customer's signed quotes (orders: the first one, resubscriptions, amendments), newest first, with their
    signature evidence and terms version."""
    return (Quote.objects.filter(Q(subscription__tenant=tenant) | Q(amends__tenant=tenant), status=Quote.Status.SIGNED)
            .select_related("signature", "terms").distinct().order_by("-signed_at", "-id"))
