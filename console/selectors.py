"""Reads of the operator console: the dashboard's figures and the lists, across every customer.

These are platform-wide queries (STYLE 5: they say so by living here, in the console that composes the
apps). Every figure of the dashboard comes from one function below, so a test can compare the page
with the function, and the function with the records. Amounts are EUR; dates are Europe/Paris."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django_tenants.utils import schema_context, schema_exists

from invoicing.models import MONTHS_PER_PERIOD, Invoice, PlanPrice, QuoteLine, Subscription
from invoicing.money import ZERO, money_round
from invoicing.selectors import customer_balance_annotations, invoices_overdue
from maintenance.models import MaintenanceWindow
from mooc_platform.accounts.models import User
from mooc_platform.business_time import add_months, business_date, business_midnight
from tenants.models import AuditEvent, Tenant

from .models import ApprovalRequest

OVERDUE_BUCKETS = (("0-15", 1, 15), ("15-30", 16, 30), ("30+", 31, None))
TREND_MONTHS = 12


def customers() -> QuerySet[Tenant]:
    """Every customer organisation (the platform's own `public` row excluded)."""
    return Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)


# --- Tenants by state ------------------------------------------------------------------------------


def tenants_count_by_state() -> dict[str, int]:
    """Number of customer organisations in each lifecycle state (every state listed, zero included)."""
    counts = dict(customers().values_list("state").annotate(n=Count("id")).order_by())
    return {state: counts.get(state, 0) for state in Tenant.State.values}


# --- Recurring revenue -----------------------------------------------------------------------------


def _subscription_in_force(subscription: Subscription, day: date) -> bool:
    """Billed for `day`: started, not cancelled on or before it, and its tenant's access not ended."""
    if subscription.anchor_date > day:
        return False
    if subscription.cancelled_at is not None and business_date(subscription.cancelled_at) <= day:
        return False
    access_ends = subscription.tenant.access_ends_at
    return access_ends is None or access_ends > business_midnight(day)


def monthly_recurring_revenue(*, days: list[date]) -> dict[date, Decimal]:
    """MRR (EUR excl. tax) on each of `days`: for every subscription in force that day, its recurring
    amount per billing period divided by the months of that period (annual / 12). Before the end of
    the initial term the quoted, locked prices count (SPEC R7); after it, the plan's price version in force
    that day × the subscription's seats. Set-up fees are one-off and never count. Three queries."""
    subscriptions = list(Subscription.objects.select_related("tenant"))
    locked = dict(QuoteLine.objects.filter(kind=QuoteLine.Kind.RECURRING)
                  .values_list("quote_id").annotate(total=Sum("amount")).order_by())
    prices: dict[int, list[PlanPrice]] = defaultdict(list)
    for price in PlanPrice.objects.order_by("-valid_from", "-version"):
        prices[price.plan_id].append(price)
    result: dict[date, Decimal] = {}
    for day in days:
        total = ZERO
        for subscription in subscriptions:
            if not _subscription_in_force(subscription, day):
                continue
            if day < subscription.initial_period_ends_on:
                amount = locked.get(subscription.quote_id, ZERO)
            else:
                start = business_midnight(day)
                price = next((p for p in prices[subscription.plan_id] if p.valid_from <= start), None)
                amount = (price.flat_amount + price.per_seat_amount * subscription.seats) if price else ZERO
            total += amount / MONTHS_PER_PERIOD[subscription.billing_period]
        result[day] = money_round(total)
    return result


def revenue_trend_days(*, today: date, months: int = TREND_MONTHS) -> list[date]:
    """The first day of each of the `months` - 1 previous months, then today."""
    first = today.replace(day=1)
    return [add_months(first, -offset) for offset in range(months - 1, 0, -1)] + [today]


@dataclass
class Revenue:
    mrr: Decimal
    arr: Decimal
    trend: list[tuple[date, Decimal]]


def revenue_summary(*, today: date) -> Revenue:
    """MRR today, ARR (= 12 × MRR) and the 12-point monthly MRR trend ending today, EUR excl. tax."""
    days = revenue_trend_days(today=today)
    by_day = monthly_recurring_revenue(days=days)
    mrr = by_day[today]
    return Revenue(mrr=mrr, arr=mrr * 12, trend=[(day, by_day[day]) for day in days])


# --- Overdue ---------------------------------------------------------------------------------------


@dataclass
class OverdueBucket:
    key: str
    first_day: int
    last_day: int | None
    count: int = 0
    amount: Decimal = ZERO


def overdue_invoice_filter(*, key: str, today: date) -> Q:
    """The due dates of the invoices `key` days late ("0-15": 1–15 days, "15-30": 16–30, "30+": 31 and more)."""
    for name, first, last in OVERDUE_BUCKETS:
        if name == key:
            condition = Q(due_date__lte=today - timedelta(days=first))
            if last is not None:
                condition &= Q(due_date__gte=today - timedelta(days=last))
            return condition
    raise KeyError(key)


def overdue_by_age(*, today: date) -> list[OverdueBucket]:
    """Unpaid invoices past their due date by days late, with what is still due on them (EUR incl. tax
    and late charges). An invoice due yesterday is 1 day late."""
    still_due = F("total_incl_tax") + F("recovery_indemnity") + F("late_interest") - F("amount_paid")
    buckets = []
    for key, first, last in OVERDUE_BUCKETS:
        row = (invoices_overdue(as_of=today).filter(overdue_invoice_filter(key=key, today=today))
               .aggregate(count=Count("id"), amount=Sum(still_due)))
        buckets.append(OverdueBucket(key=key, first_day=first, last_day=last, count=row["count"],
                                     amount=money_round(row["amount"] or ZERO)))
    return buckets


# --- Lifecycle watch-list --------------------------------------------------------------------------


def tenants_suspended() -> QuerySet[Tenant]:
    return customers().filter(state=Tenant.State.SUSPENDED).order_by("suspended_at", "id")


def tenants_due_for_destruction(*, now: datetime, days: int = 30) -> QuerySet[Tenant]:
    """Tenants in retention whose data is destroyed within `days` days (or already due)."""
    return customers().filter(state=Tenant.State.RETENTION,
                              retention_ends_at__lte=now + timedelta(days=days)).order_by("retention_ends_at", "id")


# --- Storage ---------------------------------------------------------------------------------------


@dataclass
class StorageSummary:
    top: list[Tenant]
    used_bytes: int
    quota_bytes: int
    tenants: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def storage_summary(*, top: int = 10) -> StorageSummary:
    """The `top` organisations using the most storage (with their quota), and totals over every
    organisation that still has data (destroyed ones excluded)."""
    holding = customers().exclude(state=Tenant.State.PURGED)
    totals = holding.aggregate(used=Sum("storage_used_bytes"), quota=Sum("storage_quota_bytes"), n=Count("id"))
    return StorageSummary(top=list(holding.order_by("-storage_used_bytes", "name")[:top]),
                          used_bytes=totals["used"] or 0, quota_bytes=totals["quota"] or 0, tenants=totals["n"])


# --- Maintenance, audit, approvals ----------------------------------------------------------------------


def maintenance_windows_ahead(*, now: datetime, limit: int = 10) -> list[MaintenanceWindow]:
    """Scheduled windows in progress or to come, announced or not (operators see everything)."""
    return list(MaintenanceWindow.objects.filter(status=MaintenanceWindow.Status.SCHEDULED, end__gt=now)
                .order_by("start", "id")[:limit])


def audit_events_recent(*, limit: int = 15) -> list[AuditEvent]:
    return list(AuditEvent.objects.select_related("tenant").order_by("-created_at", "-id")[:limit])


def approvals_pending() -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PENDING).select_related("tenant")


# --- Lists -------------------------------------------------------------------------------------------


def tenants_search(*, q: str = "", state: str = "", plan: str = "", overdue: bool = False,
                   destruction_within_days: int | None = None, now: datetime | None = None,
                   today: date | None = None) -> QuerySet[Tenant]:
    """Customers matching `q` (name, slug, domain, buyer name or e-mail of a subscription) and the
    filters, each annotated with `plan_name` (newest subscription), `balance_due` and `overdue` (EUR incl.
    tax, see invoicing.selectors.customer_balance_annotations): one query for a page of the list."""
    tenants = customers()
    q = (q or "").strip()[:200]
    if q:
        tenants = tenants.filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(domains__domain__icontains=q)
                                 | Q(subscriptions__buyer_email__icontains=q)
                                 | Q(subscriptions__buyer_name__icontains=q))
    if state in Tenant.State.values:
        tenants = tenants.filter(state=state)
    if plan:
        tenants = tenants.filter(subscriptions__plan__code=plan[:40])
    if overdue:
        tenants = tenants.filter(pk__in=invoices_overdue(as_of=today).values("tenant_id"))
    if destruction_within_days is not None and now is not None:
        tenants = tenants.filter(pk__in=tenants_due_for_destruction(now=now, days=destruction_within_days)
                                 .values("pk"))
    ids = tenants.values("pk")
    balances = customer_balance_annotations(tenant_ref=OuterRef("pk"), as_of=today or business_date())
    newest = Subscription.objects.filter(tenant_id=OuterRef("pk")).order_by("-id")
    return (customers().filter(pk__in=ids)
            .annotate(plan_name=Subquery(newest.values("plan__name")[:1]),
                      balance_due=balances["balance_due"], overdue=balances["overdue"])
            .order_by("name", "id"))


def invoices_search(*, q: str = "", status: str = "", kind: str = "", overdue: str = "", period: str = "",
                    today: date) -> QuerySet[Invoice]:
    """Numbered invoices and credit notes matching `q` (number, buyer name or e-mail, organisation slug)
    and the filters: status, kind, overdue bucket ("any" or a bucket key), issue month `YYYY-MM`."""
    invoices = Invoice.objects.exclude(kind=Invoice.Kind.PRO_FORMA).select_related("tenant")
    q = (q or "").strip()[:200]
    if q:
        invoices = invoices.filter(Q(number__icontains=q) | Q(buyer__name__icontains=q)
                                   | Q(buyer__email__icontains=q) | Q(tenant__slug__icontains=q)
                                   | Q(tenant__name__icontains=q))
    if status in Invoice.Status.values:
        invoices = invoices.filter(status=status)
    if kind in Invoice.Kind.values:
        invoices = invoices.filter(kind=kind)
    if overdue == "any":
        invoices = invoices.filter(pk__in=invoices_overdue(as_of=today).values("pk"))
    elif overdue in {key for key, _first, _last in OVERDUE_BUCKETS}:
        invoices = invoices.filter(pk__in=invoices_overdue(as_of=today)
                                   .filter(overdue_invoice_filter(key=overdue, today=today)).values("pk"))
    if period:
        try:
            year, month = (int(part) for part in period.split("-", 1))
            start = date(year, month, 1)
        except (ValueError, TypeError):
            return invoices.none()
        invoices = invoices.filter(issue_date__gte=start, issue_date__lt=add_months(start, 1))
    return invoices.order_by("-issue_date", "-id")


# --- One tenant ------------------------------------------------------------------------------------


def tenant_users_count(*, tenant: Tenant) -> int | None:
    """Active users of the organisation (the seats in use), read in its schema; None once destroyed."""
    if tenant.state == Tenant.State.PURGED or not schema_exists(tenant.schema_name):
        return None
    with schema_context(tenant.schema_name):
        return User.objects.filter(is_active=True).exclude(role=User.Role.OPERATOR).count()


def quote_pro_formas(*, quote: Any) -> list[Invoice]:
    """The pro forma invoices issued of `quote` (they carry no link to it: their issue events do)."""
    ids = [int(target) for target in AuditEvent.objects.filter(
        action="invoice.pro_forma_issued", target_type="Invoice", after__quote=quote.pk).values_list(
        "target_id", flat=True) if str(target).isdigit()]
    return list(Invoice.objects.filter(pk__in=ids, kind=Invoice.Kind.PRO_FORMA).order_by("-id"))
