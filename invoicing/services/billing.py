"""The billing run (SPEC R8, §5 batch work): every invoice due today, in batches claimed with SKIP LOCKED; and
the nightly billing cycle that sequences it with dunning, quote expiry and delivery (beat task and command)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from mooc_platform.business_time import business_date
from tenants.models import Tenant

from ..models import Invoice, QuoteLine, Subscription
from ..selectors.invoices import due_q
from .dunning import DunningRunResult, dunning_run
from .invoices import _subscriptions_invoice_next_period, invoices_deliver
from .quotes import quotes_expire


def subscriptions_billable(*, today: date) -> QuerySet[Subscription]:
    """The subscriptions with a period to invoice on `today`. A tenant whose access has ended (terminated by the
    operator, SPEC R13) is not billed any more; nor is a suspended one (SPEC R27): its periods are invoiced
    (catching up) once it is reinstated, since the contract ran on, and never if it is terminated meanwhile."""
    return (Subscription.objects.filter(status=Subscription.Status.ACTIVE, next_period_start__lte=today)
            .exclude(tenant__state__in=[Tenant.State.RETENTION, Tenant.State.PURGED, Tenant.State.SUSPENDED]))


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
    due = subscriptions_billable(today=today)
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


@dataclass
class BillingCycleResult:
    billing: BillingRunResult
    dunning: DunningRunResult = field(default_factory=DunningRunResult)
    quotes_expired: int = 0
    delivered: int = 0
    invoices_due_unpaid: int = 0  # dry run only
    subscriptions_due: list[Subscription] = field(default_factory=list)  # dry run only: the first 50


def billing_cycle_run(*, now: datetime | None = None, dry_run: bool = False, batch_size: int = 500,
                      deliver_limit: int = 200) -> BillingCycleResult:
    """The nightly billing cycle in its one order (Celery beat's `invoicing.run_billing` and
    `manage.py run_billing`): issue the invoices due, then dun (reminders, formal notices, late charges,
    suspensions), expire quotes, and deliver the new documents. A dry run changes nothing and says what
    the run would invoice and how many invoices are due and unpaid."""
    if dry_run:
        today = business_date(now)
        return BillingCycleResult(
            billing=billing_run(now=now, dry_run=True),
            invoices_due_unpaid=Invoice.objects.filter(due_q(as_of=today)).count(),
            subscriptions_due=list(subscriptions_billable(today=today).order_by("pk")[:50]))
    billing = billing_run(now=now, batch_size=batch_size)
    dunning = dunning_run(now=now)
    expired = quotes_expire(now=now)
    delivered = invoices_deliver(limit=deliver_limit, now=now)
    return BillingCycleResult(billing=billing, dunning=dunning, quotes_expired=expired, delivered=delivered)
