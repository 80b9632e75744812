"""The billing run (SPEC R8, §5 batch work): every invoice due today, in batches claimed with SKIP LOCKED."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch

from mooc_platform.business_time import business_date
from tenants.models import Tenant

from ..models import QuoteLine, Subscription
from .invoices import _subscriptions_invoice_next_period


@dataclass
class BillingRunResult:
    dry_run: bool
    invoices_issued: int = 0
    subscriptions_due: int = 0
    numbers: list[str] = field(default_factory=list)


def billing_run(*, now: datetime | None = None, dry_run: bool = False, batch_size: int = 500) -> BillingRunResult:
    """Issue every invoice due today (Europe/Paris), in advance, period after period (catching up if runs
    were missed). Idempotent: a subscription moves forward with its invoice in one transaction, and the
    database refuses a second invoice for the same period. Safe with concurrent runs: batches are claimed
    with `SELECT … FOR UPDATE SKIP LOCKED`; a run that dies rolls its batch back (numbers included)."""
    today = business_date(now)
    # A tenant whose access has ended (terminated by the operator, SPEC R13) is not billed any more.
    due = (Subscription.objects.filter(status=Subscription.Status.ACTIVE, next_period_start__lte=today)
           .exclude(tenant__state__in=[Tenant.State.RETENTION, Tenant.State.PURGED]))
    if dry_run:
        return BillingRunResult(dry_run=True, subscriptions_due=due.count())
    result = BillingRunResult(dry_run=False)
    while True:
        with transaction.atomic():
            batch = list(
                due.select_for_update(skip_locked=True, of=("self",)).select_related("tenant", "quote")
                .prefetch_related(Prefetch("quote__lines", queryset=QuoteLine.objects.order_by("position")))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            invoices = _subscriptions_invoice_next_period(subscriptions=batch, today=today)
        result.invoices_issued += len(invoices)
        if len(result.numbers) < 1000:
            result.numbers.extend(i.number for i in invoices if i.number)
    return result
