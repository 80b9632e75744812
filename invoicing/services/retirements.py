"""Discontinuation with six months' notice (SPEC R24 — GCS art. 1): an operator retires a plan; each of its
customers is told by e-mail, keeps access until the later of its paid-through date and six months after the
notice, gets export reminders 30 and 7 days before that date, and then goes through the lifecycle of a
cancellation (retention 180 days, destruction: `tenants.services.lifecycle_run`).

Renewals stop at the notice: the subscription is closed like a cancellation (no further invoice), the periods
already invoiced stay due (GCS art. 3), and the months between the end of the periods invoiced and six months
after the notice are not charged — the discontinuation is the seller's decision, and it gives rise to no
compensation either way (GCS art. 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record
from mooc_platform.business_time import add_months, business_days_later, business_midnight, platform_tz
from mooc_platform.emails import email_send
from mooc_platform.errors import ConflictError
from mooc_platform.http import tenant_url
from tenants.models import Tenant
from tenants.selectors import REMINDER_DAYS, tenant_administrator_emails
from tenants.services import tenant_cancel

from ..errors import Code
from ..models import Plan, PlanRetirement, Subscription, SubscriptionRetirement

NOTICE_MONTHS = 6


class PlanRetiredError(ConflictError):
    code = Code.PLAN_RETIRED


def plan_retirement_notice_end(*, announced_at: datetime) -> datetime:
    """Six months after the notice, at the same Paris wall-clock time (clamped to the month's last day)."""
    local = announced_at.astimezone(platform_tz())
    day = add_months(local.date(), NOTICE_MONTHS)
    return local.replace(year=day.year, month=day.month, day=day.day).astimezone(UTC)


def subscription_invoiced_until(*, subscription: Subscription) -> datetime:
    """The end (Paris midnight) of the periods already invoiced: what the customer subscribed to and keeps."""
    return business_midnight(subscription.next_period_start)


def plan_retirement_affected(*, plan: Plan, now: datetime) -> list[tuple[Subscription, datetime, datetime]]:
    """The subscriptions a retirement announced `now` would end, with (paid-through date, access end): every
    subscription of the plan still running (a customer that already cancelled keeps its own, earlier end)."""
    notice_end = plan_retirement_notice_end(announced_at=now)
    rows = []
    for subscription in (Subscription.objects.select_related("tenant")
                         .filter(plan=plan, status=Subscription.Status.ACTIVE,
                                 tenant__state__in=[Tenant.State.ACTIVE, Tenant.State.SUSPENDED])
                         .order_by("tenant__name", "pk")):
        paid_through = subscription_invoiced_until(subscription=subscription)
        rows.append((subscription, paid_through, max(paid_through, notice_end)))
    return rows


def plan_retire(*, plan: Plan, actor: Any, reason: str = "", now: datetime | None = None) -> PlanRetirement:
    """Retire `plan` (GCS art. 1): no new quote from now on (`is_active` off); each running subscription ends at the
    later of its paid-through date and six months after the notice (its tenant cancelled with that access end,
    so `run_lifecycle` takes over: retention 180 days, destruction); each customer's administrators and billing
    contact are e-mailed in its language. One transaction; audited (`plan.retired`, `subscription.plan_retired`,
    `tenant.cancelled`). Refused for a plan already retired."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if PlanRetirement.objects.filter(plan=locked).exists():
            raise PlanRetiredError(_("This plan is already retired."), details={"plan": locked.code})
        retirement = PlanRetirement.objects.create(
            plan=locked, announced_at=now, announced_by_email=getattr(actor, "email", "") or "",
            notice_ends_at=plan_retirement_notice_end(announced_at=now), reason=(reason or "").strip())
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        affected = plan_retirement_affected(plan=locked, now=now)
        audit_record(action="plan.retired", actor=actor, target=locked, before={"is_active": True},
                     after={"is_active": False, "notice_ends_at": retirement.notice_ends_at.isoformat(),
                            "subscriptions": len(affected)})
        for subscription, paid_through, access_ends_at in affected:
            tenant = Tenant.objects.select_for_update().get(pk=subscription.tenant_id)
            sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
            sub.status, sub.cancelled_at = Subscription.Status.CANCELLED, now
            sub.save(update_fields=["status", "cancelled_at"])
            SubscriptionRetirement.objects.create(retirement=retirement, subscription=sub, tenant=tenant,
                                                  paid_through=paid_through, access_ends_at=access_ends_at,
                                                  notified_at=now)
            audit_record(action="subscription.plan_retired", actor=actor, tenant=tenant, target=sub,
                         before={"status": Subscription.Status.ACTIVE},
                         after={"status": sub.status, "plan": locked.code, "paid_through": paid_through.isoformat(),
                                "access_ends_at": access_ends_at.isoformat()})
            tenant_cancel(tenant=tenant, access_ends_at=access_ends_at, actor=actor, notify=False)
            _retirement_email(tenant=tenant, subscription=sub, template="invoicing/emails/plan_retired",
                              context={"plan": locked, "access_ends_at": access_ends_at, "announced_at": now,
                                       "reason": retirement.reason})
    return retirement


def _retirement_email(*, tenant: Tenant, subscription: Subscription, template: str, context: dict[str, Any]) -> None:
    recipients = [*tenant_administrator_emails(tenant=tenant), subscription.buyer_email]
    full = {"tenant": tenant, "platform_name": settings.PLATFORM_NAME,
            "export_url": tenant_url(slug=tenant.slug, path="/exports/"), **context}
    transaction.on_commit(lambda: email_send(to=recipients, template=template, context=full,
                                             language=tenant.language))


@dataclass
class RetirementRunReport:
    reminders: list[tuple[str, str]] = field(default_factory=list)


def plan_retirement_reminders_due(*, now: datetime) -> list[tuple[SubscriptionRetirement, int]]:
    """Across customers: (retirement of a subscription, days) for every export reminder due now, 7-day ones first.
    Only while the tenant still has its access under the retirement (cancelled, not ended)."""
    base = (SubscriptionRetirement.objects.select_related("tenant", "subscription", "retirement__plan")
            .filter(access_ends_at__gt=now, tenant__state=Tenant.State.CANCELLED))
    in7, in30 = business_days_later(now, 7), business_days_later(now, 30)
    due7 = list(base.filter(access_ends_at__lte=in7, reminder_7_sent_at__isnull=True))
    due30 = list(base.filter(access_ends_at__lte=in30, access_ends_at__gt=in7, reminder_30_sent_at__isnull=True))
    return [(row, 7) for row in due7] + [(row, 30) for row in due30]


def plan_retirement_reminders_run(*, now: datetime | None = None, dry_run: bool = False) -> RetirementRunReport:
    now = now or timezone.now()
    report = RetirementRunReport()
    for row, days in plan_retirement_reminders_due(now=now):
        report.reminders.append((row.tenant.slug, f"{days} days before the end of access on "
                                                  f"{row.access_ends_at.isoformat()} ({row.retirement.plan.code})"))
        if not dry_run:
            plan_retirement_reminder_send(row=row, days=days, now=now)
    return report


def plan_retirement_reminder_send(*, row: SubscriptionRetirement, days: int, now: datetime | None = None) -> bool:
    """E-mail the export reminder `days` (30 or 7) days before the end of access, once (the date recorded under
    the row lock; a late 7-day reminder makes the 30-day one moot). Returns whether it was sent."""
    now = now or timezone.now()
    assert days in REMINDER_DAYS
    with transaction.atomic():
        locked = (SubscriptionRetirement.objects.select_for_update(of=("self",))
                  .select_related("tenant", "subscription", "retirement__plan").get(pk=row.pk))
        names = ["reminder_7_sent_at", "reminder_30_sent_at"] if days == 7 else ["reminder_30_sent_at"]
        if getattr(locked, names[0]) is not None or locked.access_ends_at <= now:
            return False
        for name in names:
            if getattr(locked, name) is None:
                setattr(locked, name, now)
        locked.save(update_fields=names)
        audit_record(action=f"subscription.plan_retirement_reminder_{days}", tenant=locked.tenant,
                     target=locked.subscription, after={"access_ends_at": locked.access_ends_at.isoformat(),
                                                        "days": days})
        _retirement_email(tenant=locked.tenant, subscription=locked.subscription,
                          template="invoicing/emails/plan_retirement_reminder",
                          context={"plan": locked.retirement.plan, "access_ends_at": locked.access_ends_at,
                                   "days": days})
    return True
