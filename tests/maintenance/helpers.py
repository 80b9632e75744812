"""Helpers of the maintenance tests: Paris wall-clock times and the DST Saturdays of 2027.

DST weekends of 2027 in Europe/Paris: clocks go forward on Sunday 28 March (02:00 → 03:00) and back on
Sunday 31 October (03:00 → 02:00); Saturdays 27 March and 30 October are the windows' days."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Paris wall-clock time, returned in UTC: arithmetic on it is then real elapsed time (Python
    adds and subtracts datetimes of one tzinfo on the wall clock)."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


# A Saturday at noon in winter time, the day before clocks go forward.
MARCH_SAT_NOON = paris(2027, 3, 27, 12)
# A Saturday at noon in summer time, the day before clocks go back.
OCTOBER_SAT_NOON = paris(2027, 10, 30, 12)
