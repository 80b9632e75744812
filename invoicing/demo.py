"""Demo and bench data of the invoicing app: the price list, and subscriptions made in bulk."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from mooc_platform.business_time import add_months
from tenants.models import Tenant

from .models import BillingPeriod, Plan, PlanPrice, Quote, QuoteLine, Subscription, TermsVersion

DEMO_PLANS = {
    "essential": {"name": "Essential", "billing_period": BillingPeriod.MONTHLY, "flat_amount": Decimal("100.00"),
                  "per_seat_amount": Decimal("2.80"), "setup_fee": Decimal("0.00"), "seats": 50},
    "campus": {"name": "Campus", "billing_period": BillingPeriod.ANNUAL, "flat_amount": Decimal("6000.00"),
               "per_seat_amount": Decimal("12.00"), "setup_fee": Decimal("1500.00"), "seats": 500,
               "custom_domains_allowed": True, "storage_quota_bytes": 200 * 1024**3},
}


def demo_billing_ensure() -> list[Plan]:
    """The demo price list (idempotent). No invoices: numbers are legal records, not demo props."""
    plans = []
    for code, spec in DEMO_PLANS.items():
        spec = dict(spec)
        name = spec.pop("name")
        plan, created = Plan.objects.get_or_create(code=code, defaults={"name": name})
        if created or not plan.prices.exists():
            PlanPrice.objects.create(plan=plan, version=1, valid_from=timezone.now() - timedelta(days=1), **spec)
        plans.append(plan)
    return plans


DEMO_TERMS_VERSION = "GCS-2026-01"
DEMO_TERMS_TEXTS = Path(__file__).resolve().parent / "terms_texts"


def demo_terms_ensure() -> TermsVersion:
    """The demo terms of sale (SPEC R22), from the seed GCS (`003_…`) in English and its French translation, in force
    since 1 January 2020 (idempotent; no announcement e-mail: it is the first version)."""
    from .services.terms import _terms_version_create

    existing = TermsVersion.objects.filter(version=DEMO_TERMS_VERSION).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        return _terms_version_create(
            version=DEMO_TERMS_VERSION, effective_at=datetime(2020, 1, 1, tzinfo=ZoneInfo("Europe/Paris")),
            text_fr=(DEMO_TERMS_TEXTS / "demo.fr.txt").read_text(encoding="utf-8").strip(),
            text_en=(DEMO_TERMS_TEXTS / "demo.en.txt").read_text(encoding="utf-8").strip(),
            actor=None, now=timezone.now())


def demo_seed(*, demo: dict[str, Any], log: Callable[[str], None]) -> None:
    """The invoicing part of `seed_demo` (settings.DEMO_SEEDERS): the price list and the terms of sale."""
    from .services.terms import terms_pdfs_restore

    demo_billing_ensure()
    log("price list ready (plans essential, campus)")
    if not TermsVersion.objects.exists():
        demo_terms_ensure()
        log(f"terms of sale {DEMO_TERMS_VERSION} on record (French and English)")
    elif restored := terms_pdfs_restore():
        log(f"{restored} terms of sale PDF(s) put back on S3 (the database outlived its S3 objects)")


def subscriptions_bulk_create(*, count: int, plan: Plan, anchor_date: date, prefix: str = "bulk",
                              signed_at: datetime | None = None) -> list[int]:
    """`count` signed subscriptions with their tenant rows (no schema) and quotes, in a few INSERTs.
    For benchmarks and concurrency tests; returns the subscription ids."""
    price = plan.prices.order_by("-version").first()
    assert price is not None
    signed_at = signed_at or timezone.now()
    with transaction.atomic():
        tenants = Tenant.objects.bulk_create([
            Tenant(schema_name=f"b_{prefix}_{i}", slug=f"{prefix}-{i}", name=f"Bulk customer {prefix} {i}")
            for i in range(count)
        ])
        quotes = Quote.objects.bulk_create([
            Quote(plan_price=price, status=Quote.Status.SENT, token=secrets.token_urlsafe(24),
                  organisation_name=t.name, billing_address="1 rue de la Paix, 75002 Paris", country="FR",
                  contact_name="Bulk Contact", contact_email=f"billing@{t.slug}.example", wished_slug=t.slug,
                  billing_period=price.billing_period, seats=price.seats, storage_quota_bytes=price.storage_quota_bytes,
                  valid_until=anchor_date, terms_version="bulk")
            for t in tenants
        ])
        lines = []
        for quote in quotes:
            lines.append(QuoteLine(quote=quote, position=1, kind=QuoteLine.Kind.RECURRING,
                                   description=f"{plan.name} — subscription", quantity=Decimal("1"),
                                   unit_price=price.flat_amount, amount=price.flat_amount))
            seats_amount = price.per_seat_amount * price.seats
            lines.append(QuoteLine(quote=quote, position=2, kind=QuoteLine.Kind.RECURRING,
                                   description=f"{plan.name} — seats", quantity=Decimal(price.seats),
                                   unit_price=price.per_seat_amount, amount=seats_amount))
        QuoteLine.objects.bulk_create(lines)
        # Signed after its lines exist: the database freezes the lines of a signed quote.
        Quote.objects.filter(pk__in=[q.pk for q in quotes]).update(status=Quote.Status.SIGNED, signed_at=signed_at)
        subscriptions = Subscription.objects.bulk_create([
            Subscription(tenant=t, quote=q, plan=plan, billing_period=price.billing_period, seats=price.seats,
                         anchor_date=anchor_date, initial_period_ends_on=add_months(anchor_date, 12),
                         next_period_start=anchor_date, buyer_name=t.name, buyer_address=q.billing_address,
                         buyer_country="FR", buyer_email=q.contact_email)
            for t, q in zip(tenants, quotes, strict=True)
        ])
    return [s.pk for s in subscriptions]
