"""The planned-maintenance rules of GCS art. 8 (SPEC R16), as one pure function of the times.

Kept apart from the services so the admin form and the API can show every broken rule before
anything is written; the services call the same function and refuse on its answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

SATURDAY = 5
EARLIEST_START = time(12, 0)
MAX_DURATION = timedelta(hours=24)
MIN_NOTICE = timedelta(hours=48)
REMINDER_BEFORE = timedelta(hours=24)


@dataclass(frozen=True)
class BrokenRule:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def platform_tz() -> ZoneInfo:
    return ZoneInfo(settings.PLATFORM_TIME_ZONE)


def duration_text(delta: timedelta) -> str:
    """`timedelta(hours=47, minutes=59)` → '47 h 59 min' (whole minutes, rounded down)."""
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours} h {minutes:02d} min"


def local_text(moment: datetime) -> str:
    return moment.astimezone(platform_tz()).strftime("%A %d %B %Y %H:%M %Z")


def as_utc(moment: datetime) -> datetime:
    """Python subtracts and compares two datetimes of the same tzinfo on the wall clock (a Paris
    Saturday noon to Sunday noon in October would be '24 h'); in UTC it is real elapsed time."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: business times are aware (STYLE 3)")
    return moment.astimezone(UTC)


def window_times_check(*, start: datetime, end: datetime, now: datetime) -> list[BrokenRule]:
    """Rules every window obeys, emergency or not: it ends after it starts and is not over already."""
    start, end, now = as_utc(start), as_utc(end), as_utc(now)
    broken = []
    if end <= start:
        broken.append(BrokenRule("maintenance_end_before_start", "A window must end after it starts."))
    if end <= now:
        broken.append(BrokenRule("maintenance_already_over", "This window would already be over."))
    return broken


def planned_window_rules_check(*, start: datetime, end: datetime, now: datetime) -> list[BrokenRule]:
    """Every rule of SPEC R16 that a planned window from `start` to `end`, scheduled at `now`, breaks.

    An empty list means the window is allowed. Days and hours are judged in Europe/Paris; the
    duration and the notice are real elapsed time, so a window over a DST change is still 24 h."""
    start, end, now = as_utc(start), as_utc(end), as_utc(now)
    broken = window_times_check(start=start, end=end, now=now)
    local_start = start.astimezone(platform_tz())
    if local_start.weekday() != SATURDAY or local_start.time() < EARLIEST_START:
        broken.append(BrokenRule(
            "maintenance_not_saturday_noon",
            "A planned window must start on a Saturday at or after 12:00 (Europe/Paris, GCS art. 8); "
            f"this one starts on {local_text(start)}.",
        ))
    if end - start > MAX_DURATION:
        broken.append(BrokenRule(
            "maintenance_too_long",
            f"A planned window lasts at most 24 hours (GCS art. 8); this one lasts {duration_text(end - start)}.",
        ))
    if start - now < MIN_NOTICE:
        broken.append(BrokenRule(
            "maintenance_notice_too_short",
            "A planned window must be announced at least 48 hours before it starts (GCS art. 8); "
            f"this one starts in {duration_text(start - now)}.",
        ))
    return broken
