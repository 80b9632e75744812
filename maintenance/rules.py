"""The planned-maintenance rules of GCS art. 8 (SPEC R16), as one pure function of the times.

Kept apart from the services so the admin form and the API can show every broken rule before
anything is written; the services call the same function and refuse on its answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maintenance.errors import Code
from mooc_platform.business_time import platform_tz

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


def duration_text(delta: timedelta) -> str:
    """`timedelta(hours=47, minutes=59)` → '47 h 59 min' (whole minutes, rounded down)."""
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours} h {minutes:02d} min"


def local_text(moment: datetime) -> str:
    """The moment on the Paris wall clock, in the active language ("Saturday 27 March 2027 12:00 CET")."""
    return date_format(moment.astimezone(platform_tz()), "l d F Y H:i T")


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
        broken.append(BrokenRule(Code.MAINTENANCE_END_BEFORE_START, _("A window must end after it starts.")))
    if end <= now:
        broken.append(BrokenRule(Code.MAINTENANCE_ALREADY_OVER, _("This window would already be over.")))
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
            Code.MAINTENANCE_NOT_SATURDAY_NOON,
            _("A planned window must start on a Saturday at or after 12:00 (Europe/Paris, GCS art. 8); "
              "this one starts on %(start)s.") % {"start": local_text(start)},
        ))
    if end - start > MAX_DURATION:
        broken.append(BrokenRule(
            Code.MAINTENANCE_TOO_LONG,
            _("A planned window lasts at most 24 hours (GCS art. 8); this one lasts %(duration)s.")
            % {"duration": duration_text(end - start)},
        ))
    if start - now < MIN_NOTICE:
        broken.append(BrokenRule(
            Code.MAINTENANCE_NOTICE_TOO_SHORT,
            _("A planned window must be announced at least 48 hours before it starts (GCS art. 8); "
              "this one starts in %(notice)s.") % {"notice": duration_text(start - now)},
        ))
    return broken


def merged_span(*, start: datetime, end: datetime,
                others: list[tuple[datetime, datetime]]) -> tuple[datetime, datetime]:
    """The one interruption [start, end) makes with the `others` it overlaps or touches, directly or through
    each other (a window ending at 18:00 and one starting at 18:00 are one interruption)."""
    span_start, span_end = as_utc(start), as_utc(end)
    pending = sorted((as_utc(s), as_utc(e)) for s, e in others)
    grew = True
    while grew:  # a few windows at most: merge until nothing touches the span any more
        grew = False
        for other_start, other_end in pending:
            if other_start <= span_end and other_end >= span_start and (
                    other_start < span_start or other_end > span_end):
                span_start, span_end = min(span_start, other_start), max(span_end, other_end)
                grew = True
    return span_start, span_end


def interruption_rules_check(*, start: datetime, end: datetime, others: list[tuple[datetime, datetime]],
                             who: str) -> list[BrokenRule]:
    """GCS art. 8 per organisation (issue 9 item 6): the planned window [start, end) and the planned `others`
    of one organisation (`who`) that it overlaps or touches are one interruption, which lasts at most 24 hours
    and starts on a Saturday at or after 12:00 (Europe/Paris). The window's own rules are
    `planned_window_rules_check`'s."""
    span_start, span_end = merged_span(start=start, end=end, others=others)
    broken = []
    local_start = span_start.astimezone(platform_tz())
    if span_start < as_utc(start) and (local_start.weekday() != SATURDAY or local_start.time() < EARLIEST_START):
        broken.append(BrokenRule(
            Code.MAINTENANCE_NOT_SATURDAY_NOON,
            _("A planned interruption starts on a Saturday at or after 12:00 (Europe/Paris, GCS art. 8); with the "
              "windows this one touches, %(who)s would be unavailable from %(start)s.")
            % {"who": who, "start": local_text(span_start)},
        ))
    if span_end - span_start > MAX_DURATION:
        broken.append(BrokenRule(
            Code.MAINTENANCE_TOO_LONG,
            _("A planned interruption lasts at most 24 hours (GCS art. 8); with the windows this one overlaps or "
              "touches, %(who)s would be unavailable %(duration)s in a row, from %(start)s to %(end)s.")
            % {"who": who, "duration": duration_text(span_end - span_start), "start": local_text(span_start),
               "end": local_text(span_end)},
        ))
    return broken
