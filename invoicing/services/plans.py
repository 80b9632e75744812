"""Plans and their prices (SPEC R7): a price change is a new dated price, never an edit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record
from mooc_platform.errors import NotFoundError

from ..errors import BillingPeriodChangeError
from ..models import Plan, PlanPrice
from ..money import ZERO, money_round


def plan_create(*, code: str, name: str, billing_period: str, flat_amount: Decimal = ZERO,
                per_seat_amount: Decimal = ZERO, setup_fee: Decimal = ZERO, seats: int = 50,
                storage_quota_bytes: int = 10 * 1024**3, custom_domains_allowed: bool = False,
                actor: Any = None, now: datetime | None = None) -> Plan:
    with transaction.atomic():
        plan = Plan.objects.create(code=code, name=name)
        PlanPrice.objects.create(
            plan=plan, version=1, valid_from=now or timezone.now(), billing_period=billing_period,
            flat_amount=money_round(Decimal(flat_amount)), per_seat_amount=money_round(Decimal(per_seat_amount)),
            setup_fee=money_round(Decimal(setup_fee)), seats=seats, storage_quota_bytes=storage_quota_bytes,
            custom_domains_allowed=custom_domains_allowed,
        )
        audit_record(action="plan.created", actor=actor, target=plan, after={"code": code, "name": name})
    return plan


def plan_price_current(*, plan: Plan, at: datetime | None = None) -> PlanPrice:
    """The price version in force at `at` (default now)."""
    price = plan.prices.filter(valid_from__lte=at or timezone.now()).order_by("-valid_from", "-version").first()
    if price is None:
        raise NotFoundError(_("Plan %(plan)s has no price in force.") % {"plan": plan.code},
                            details={"plan": plan.code})
    return price


def plan_price_period_check(*, plan: Plan, billing_period: str | None) -> None:
    """A price version keeps its plan's billing period: a monthly subscription renewed "at the prices in force"
    must find monthly amounts (SPEC R7). Another period is another plan."""
    current = plan.prices.order_by("-version").first()
    if current is not None and billing_period is not None and billing_period != current.billing_period:
        raise BillingPeriodChangeError(
            _("A price version keeps the plan's billing period (%(period)s): create another plan to "
              "sell another period.") % {"period": current.billing_period},
            details={"plan": plan.code, "billing_period": current.billing_period, "requested": billing_period})


def plan_price_change(*, plan: Plan, actor: Any = None, valid_from: datetime | None = None,
                      now: datetime | None = None, **changes: Any) -> PlanPrice:
    """A new price version (never an edit), on the plan's billing period. New quotes use it at once; existing
    subscriptions take it only after their initial period (SPEC R7 — GCS art. 11)."""
    now = now or timezone.now()
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)
        current = plan.prices.order_by("-version").first()
        assert current is not None
        plan_price_period_check(plan=plan, billing_period=changes.get("billing_period"))
        new = PlanPrice(plan=plan, version=current.version + 1, valid_from=valid_from or now)
        for name in ("billing_period", "flat_amount", "per_seat_amount", "setup_fee", "seats",
                     "storage_quota_bytes", "custom_domains_allowed"):
            value = changes.get(name, getattr(current, name))
            if name in ("flat_amount", "per_seat_amount", "setup_fee"):
                value = money_round(Decimal(str(value)))
            setattr(new, name, value)
        new.save()
        audit_record(action="plan.price_changed", actor=actor, target=plan,
                     before={"version": current.version}, after={"version": new.version})
    return new


def _recurring_lines(*, price: PlanPrice, seats: int) -> list[tuple[str, Decimal, Decimal]]:
    period = price.get_billing_period_display().lower()
    lines = []
    if price.flat_amount:
        lines.append((f"{price.plan.name} — {period} subscription", Decimal("1"), price.flat_amount))
    if price.per_seat_amount:
        lines.append((f"{price.plan.name} — seats ({period})", Decimal(seats), price.per_seat_amount))
    return lines
