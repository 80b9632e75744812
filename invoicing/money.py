"""Money and calendar helpers of the invoicing app: one rounding rule, business dates in Europe/Paris."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money_round(amount: Decimal) -> Decimal:
    """The one rounding rule of the platform: to the cent, half up (STYLE 4)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def paris() -> ZoneInfo:
    return ZoneInfo(settings.PLATFORM_TIME_ZONE)


def business_date(moment: datetime | None = None) -> date:
    """The calendar date in Europe/Paris of `moment` (default: now). Business dates follow Paris."""
    return timezone.localtime(moment or timezone.now(), paris()).date()


def business_midnight(day: date) -> datetime:
    """00:00 in Europe/Paris on `day`, as an aware datetime (stored in UTC by the database)."""
    return datetime.combine(day, time.min, tzinfo=paris())


def business_add_days(moment: datetime, days: int) -> datetime:
    """`moment` + `days` calendar days on the Paris wall clock (a DST change does not move the hour)."""
    local = timezone.localtime(moment, paris())
    naive = local.replace(tzinfo=None) + timezone.timedelta(days=days)
    return naive.replace(tzinfo=paris())


def add_months(anchor: date, months: int) -> date:
    """`anchor` + `months`, clamped to the month's last day: periods never drift (31 Jan → 28 Feb → 31 Mar)."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))
