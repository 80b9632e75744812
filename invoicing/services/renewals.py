"""Renewal notices (SPEC R23 — `001_…` §5.2, §7; Code de la consommation L215-1 as the seed quotes it): a
configurable number of days (`INVOICING_RENEWAL_NOTICE_DAYS`, default 60) before each term of a subscription ends,
its administrators are told the renewal date, the amount excluding tax per billing period from then, and that
cancelling before that date stops it; when a new price applies at the renewal (the quoted prices are locked for the
initial term only, SPEC R7), the notice states the old and the new amounts.

A term is the subscription's initial term (`quote.initial_term_months`) and each renewal "for the same term": terms
end on `anchor + k × initial_term_months` (Paris dates). Exactly once per term: the `RenewalNotice` row is unique
per (subscription, term end) and its e-mail is sent under the row's lock, `sent_at` set in the same transaction;
a failed e-mail rolls back and is retried by the next run. Beat (`invoicing.renewal_notices_send`) and
`manage.py run_renewal_notices [--dry-run]` call `renewal_notices_send_due`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from mooc_platform.audit import audit_record
from mooc_platform.business_time import add_months, business_date
from mooc_platform.emails import email_send
from tenants.models import Tenant
from tenants.selectors import tenant_administrator_emails

from ..models import MONTHS_PER_PERIOD, PlanPrice, RenewalNotice, Subscription
from ..money import ZERO, money_round
from .invoices import _period_lines, tenant_billing_url


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def subscription_term_end(*, subscription: Subscription, today: date) -> date:
    """The end of the subscription's term running on `today` (exclusive: the renewal date), a Paris date."""
    term = max(subscription.quote.initial_term_months, MONTHS_PER_PERIOD[subscription.billing_period])
    k = max(1, _months_between(subscription.anchor_date, today) // term)
    while add_months(subscription.anchor_date, (k - 1) * term) > today and k > 1:
        k -= 1
    while add_months(subscription.anchor_date, k * term) <= today:
        k += 1
    return add_months(subscription.anchor_date, k * term)


@dataclass(frozen=True)
class RenewalTerms:
    """What a renewal notice says: the renewal date, the amount excl. tax per billing period after it and before."""

    term_ends_on: date
    amount_excl_tax: Decimal
    previous_amount_excl_tax: Decimal

    @property
    def price_changes(self) -> bool:
        return self.amount_excl_tax != self.previous_amount_excl_tax


def _period_amount(*, subscription: Subscription, period_start: date,
                   prices_by_plan: dict[int, list[PlanPrice]]) -> Decimal:
    months = MONTHS_PER_PERIOD[subscription.billing_period]
    lines = _period_lines(subscription=subscription, period_start=period_start,
                          period_end=add_months(period_start, months), prices_by_plan=prices_by_plan)
    return sum((money_round(quantity * unit_price) for _, quantity, unit_price in lines), ZERO)


def subscription_renewal_terms(*, subscription: Subscription, today: date,
                               prices_by_plan: dict[int, list[PlanPrice]] | None = None) -> RenewalTerms:
    """The renewal of the term running on `today`: its date, the recurring amount excl. tax of the first period
    after it (prices in force then: a version published for a later date counts) and of the last period before
    it (the quoted, locked amounts during the initial term). Set-up fees never count."""
    if prices_by_plan is None:
        prices_by_plan = _prices_by_plan(plan_ids={subscription.plan_id})
    # `_period_lines` adds the one-off lines to a subscription's first period: never wanted here.
    periods_billed = subscription.periods_billed
    subscription.periods_billed = max(periods_billed, 1)
    try:
        term_end = subscription_term_end(subscription=subscription, today=today)
        before = add_months(term_end, -MONTHS_PER_PERIOD[subscription.billing_period])
        return RenewalTerms(
            term_ends_on=term_end,
            amount_excl_tax=_period_amount(subscription=subscription, period_start=term_end,
                                           prices_by_plan=prices_by_plan),
            previous_amount_excl_tax=_period_amount(subscription=subscription, period_start=before,
                                                    prices_by_plan=prices_by_plan))
    finally:
        subscription.periods_billed = periods_billed


def _prices_by_plan(*, plan_ids: set[int]) -> dict[int, list[PlanPrice]]:
    prices: dict[int, list[PlanPrice]] = defaultdict(list)
    for price in PlanPrice.objects.filter(plan_id__in=plan_ids).select_related("plan").order_by("-valid_from",
                                                                                                 "-version"):
        prices[price.plan_id].append(price)
    return prices


def _subscriptions_renewing() -> QuerySet[Subscription]:
    """Across customers: subscriptions that renew tacitly — active, of a tenant whose access has not ended."""
    return (Subscription.objects.filter(status=Subscription.Status.ACTIVE)
            .exclude(tenant__state__in=[Tenant.State.CANCELLED, Tenant.State.RETENTION, Tenant.State.PURGED])
            .select_related("quote", "plan", "tenant").prefetch_related("quote__lines").order_by("pk"))


@dataclass
class RenewalNoticeRunResult:
    dry_run: bool
    created: int = 0
    sent: int = 0
    due: list[tuple[Subscription, RenewalTerms]] = field(default_factory=list)  # dry run: what would be sent


def renewal_notices_send_due(*, now: datetime | None = None, dry_run: bool = False,
                             days: int | None = None) -> RenewalNoticeRunResult:
    """Record the notices due today (Paris date ≥ renewal date − `days`, before the renewal) and send every
    unsent one. A dry run changes nothing and sends nothing: it lists what would go out."""
    now = now or timezone.now()
    today = business_date(now)
    days = settings.INVOICING_RENEWAL_NOTICE_DAYS if days is None else days
    subscriptions = list(_subscriptions_renewing())
    prices_by_plan = _prices_by_plan(plan_ids={s.plan_id for s in subscriptions})
    noticed = set(RenewalNotice.objects.filter(term_ends_on__gt=today).values_list("subscription_id", "term_ends_on"))
    result = RenewalNoticeRunResult(dry_run=dry_run)
    new = []
    for subscription in subscriptions:
        terms = subscription_renewal_terms(subscription=subscription, today=today, prices_by_plan=prices_by_plan)
        if today < terms.term_ends_on - timedelta(days=days) or (subscription.pk, terms.term_ends_on) in noticed:
            continue
        if dry_run:
            result.due.append((subscription, terms))
            continue
        new.append(RenewalNotice(
            subscription=subscription, term_ends_on=terms.term_ends_on, amount_excl_tax=terms.amount_excl_tax,
            previous_amount_excl_tax=terms.previous_amount_excl_tax, language=subscription.tenant.language,
            created_at=now))
    if dry_run:
        return result
    # A concurrent run may have inserted the same (subscription, term): the constraint keeps one.
    result.created = len(RenewalNotice.objects.bulk_create(new, ignore_conflicts=True))
    result.sent = _renewal_notices_send_pending(now=now)
    return result


def _renewal_notices_send_pending(*, now: datetime, batch_size: int = 50) -> int:
    """Send the unsent notices of terms not yet ended, each under its row lock (`SKIP LOCKED`: two runs never send
    the same one); `sent_at`, the recipients and the audit event commit with it."""
    sent = 0
    failed: set[int] = set()
    while True:
        with transaction.atomic():
            notice = (RenewalNotice.objects.select_for_update(skip_locked=True, of=("self",))
                      .select_related("subscription__tenant", "subscription__plan")
                      .filter(sent_at__isnull=True, term_ends_on__gt=business_date(now))
                      .exclude(pk__in=failed).order_by("pk").first())
            if notice is None:
                return sent
            try:
                with transaction.atomic():
                    _renewal_notice_email(notice=notice, now=now)
            except Exception:
                failed.add(notice.pk)
                continue
            sent += 1
        if sent >= 10_000 or len(failed) > batch_size:
            return sent


def _renewal_notice_email(*, notice: RenewalNotice, now: datetime) -> None:
    subscription = notice.subscription
    tenant = subscription.tenant
    recipients = sorted(set(tenant_administrator_emails(tenant=tenant)) or {subscription.buyer_email})
    context = {"notice": notice, "subscription": subscription, "tenant": tenant,
               "cancel_before": notice.term_ends_on, "last_day": notice.term_ends_on - timedelta(days=1),
               "billing_url": tenant_billing_url(tenant=tenant),
               "period": subscription.get_billing_period_display}
    email_send(to=recipients, template="invoicing/emails/renewal_notice", context=context, language=notice.language)
    notice.recipients, notice.sent_at = recipients, now
    notice.save(update_fields=["recipients", "sent_at"])
    audit_record(action="subscription.renewal_notice_sent", tenant=tenant, target=subscription,
                 after={"term_ends_on": notice.term_ends_on.isoformat(), "amount_excl_tax": str(notice.amount_excl_tax),
                        "previous_amount_excl_tax": str(notice.previous_amount_excl_tax),
                        "recipients": len(recipients)})
