"""Business dates are counted in Paris calendar days and stored in UTC (SPEC §2, STYLE 3)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def paris_days_later(moment: datetime, days: int) -> datetime:
    """`days` calendar days after (or, negative, before) `moment`, at the same Paris wall-clock time,
    in UTC: 180 days after 1 February 00:00 is 30 July 00:00 in Paris, across the DST change."""
    paris = ZoneInfo(settings.PLATFORM_TIME_ZONE)
    return (moment.astimezone(paris) + timedelta(days=days)).astimezone(UTC)
