"""Business time: every business date is a Paris calendar date, every moment is stored in UTC
(SPEC §2, STYLE 3). The one home of the platform's zone, "N days later", month arithmetic, and the
middleware that shows every page in Paris time."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def platform_tz() -> ZoneInfo:
    """The platform's zone, `PLATFORM_TIME_ZONE` (Europe/Paris); ZoneInfo caches the instance."""
    return ZoneInfo(settings.PLATFORM_TIME_ZONE)


def business_date(moment: datetime | None = None) -> date:
    """The calendar date in Europe/Paris of `moment` (default: now). Business dates follow Paris."""
    return timezone.localtime(moment or timezone.now(), platform_tz()).date()


def business_midnight(day: date) -> datetime:
    """00:00 in Europe/Paris on `day`, as an aware datetime (stored in UTC by the database)."""
    return datetime.combine(day, time.min, tzinfo=platform_tz())


def business_days_later(moment: datetime, days: int) -> datetime:
    """`days` calendar days after (or, negative, before) `moment`, at the same Paris wall-clock time,
    in UTC: 180 days after 1 February 00:00 is 30 July 00:00 in Paris, across the DST change."""
    return (moment.astimezone(platform_tz()) + timedelta(days=days)).astimezone(UTC)


def add_months(anchor: date, months: int) -> date:
    """`anchor` + `months`, clamped to the month's last day: periods never drift (31 Jan → 28 Feb → 31 Mar)."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


class BusinessTimeMiddleware:
    """Every page, on every host and of every app, shows and reads dates in Paris time (SPEC §2). The
    API (`/api/`) stays in UTC: its datetimes are instants in ISO 8601 (`…Z`), the same for every client.
    The zone is thread-local: deactivated after the response, it never leaks into the next request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            timezone.deactivate()
        else:
            timezone.activate(platform_tz())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
