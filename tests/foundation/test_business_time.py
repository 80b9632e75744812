"""mooc_platform.business_time: Paris business dates, "N days later" across DST, month arithmetic, and
every page rendered in Paris time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.test import RequestFactory
from django.utils import timezone

from mooc_platform.business_time import (
    BusinessTimeMiddleware,
    add_months,
    business_date,
    business_days_later,
    business_midnight,
    platform_tz,
)


def test_business_date_is_the_paris_calendar_date() -> None:
    # 23:30 UTC on 31 December is already 1 January in Paris.
    assert business_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)


@time_machine.travel(datetime(2026, 6, 30, 22, 30, tzinfo=UTC), tick=False)
def test_business_date_defaults_to_now_in_paris() -> None:
    assert business_date() == date(2026, 7, 1)


def test_business_midnight_is_paris_midnight() -> None:
    assert business_midnight(date(2026, 7, 1)).astimezone(UTC) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)


def test_days_later_keeps_the_paris_wall_clock_across_dst() -> None:
    start = datetime(2026, 2, 1, 0, 0, tzinfo=platform_tz())  # 1 February 00:00 Paris (UTC+1)
    later = business_days_later(start, 180)
    assert later.tzinfo == UTC
    assert later.astimezone(platform_tz()).replace(tzinfo=None) == datetime(2026, 7, 31, 0, 0)
    assert later == datetime(2026, 7, 30, 22, 0, tzinfo=UTC)  # summer time: UTC+2
    assert business_days_later(later, -180) == start


def test_add_months_clamps_to_the_last_day_without_drifting() -> None:
    anchor = date(2027, 1, 31)
    assert [add_months(anchor, n) for n in range(4)] == [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    assert add_months(date(2027, 11, 15), 14) == date(2029, 1, 15)


def test_every_page_is_rendered_in_paris_time_and_the_zone_does_not_leak() -> None:
    seen = []
    middleware = BusinessTimeMiddleware(lambda request: seen.append(timezone.get_current_timezone_name()))
    middleware(RequestFactory().get("/billing/"))
    middleware(RequestFactory().get("/api/v1/billing/invoices/"))
    assert seen == ["Europe/Paris", "UTC"]  # pages in Paris time, the API in UTC
    assert timezone.get_current_timezone_name() == "UTC"
