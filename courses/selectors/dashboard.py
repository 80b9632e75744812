"""The figures of the customer administrators' dashboard (issue 13 item 1). `dashboard_figures` reads them all
with a constant number of queries whatever the number of users, courses, enrolments or reports (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils.module_loading import import_string

from ..models import Course, Enrollment, MediaUpload
from .discussions import reports_open
from .people import seats_reserved, seats_taken, seats_used

PARIS = ZoneInfo("Europe/Paris")
WEEKS = 12
SEAT_WARNING_PERCENT = 90  # the gauge turns to a warning from here (or with one seat left)
STORAGE_WARNING_PERCENT = 80  # the same level as the storage banner (`tenants.selectors.storage_level`)


@dataclass(frozen=True)
class Gauge:
    used: int
    limit: int
    warning: bool

    @property
    def percent(self) -> float:
        """Share of the limit used, 0–100 (100 when the limit is 0), one decimal."""
        return min(100.0, round(self.used * 100 / self.limit, 1)) if self.limit else 100.0


@dataclass(frozen=True)
class CourseRate:
    course_id: int
    title: str
    enrolled: int
    completed: int

    @property
    def percent(self) -> float:
        return round(self.completed * 100 / self.enrolled, 1) if self.enrolled else 0.0


@dataclass(frozen=True)
class Dashboard:
    seats: Gauge
    seats_active: int
    seats_invited: int
    storage: Gauge
    storage_by_course: list[tuple[int, str, int]]
    weeks: list[date]
    enrolments: list[int]
    completions: list[int]
    courses_by_completion: list[CourseRate]
    open_reports: int
    billing: dict[str, Any]
    lifecycle: dict[str, Any] = field(default_factory=dict)


def _weekly(*, rows: Any, weeks: list[date]) -> list[int]:
    counts = {row["week"].astimezone(PARIS).date() if isinstance(row["week"], datetime) else row["week"]: row["n"]
              for row in rows}
    return [counts.get(week, 0) for week in weeks]


def dashboard_weeks(*, now: datetime) -> list[date]:
    """The Mondays (Europe/Paris) of the last WEEKS weeks, oldest first, the current week last."""
    today = now.astimezone(PARIS).date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def dashboard_figures(*, now: datetime) -> Dashboard:
    """Every figure of the administrators' dashboard, as of `now`: seats (SPEC R2's rule: `seats_taken` against the
    seat limit, of which `seats_used` active and `seats_reserved` invited), storage against the quota and per
    course, enrolments and completions per week (Europe/Paris weeks), courses by completion rate (best first),
    open discussion reports, the invoices due and the next renewal (read by value from the invoicing app) and
    the lifecycle timeline (from the tenants app). Twelve queries whatever the amount of data."""
    schema_name = connection.schema_name
    limits = import_string(settings.TENANT_ROW_READER)(
        schema_name=schema_name, fields=("seat_limit", "storage_quota_bytes", "storage_used_bytes"))
    taken = seats_taken()
    seat_limit = limits["seat_limit"]
    near = taken >= seat_limit - 1 or taken * 100 >= seat_limit * SEAT_WARNING_PERCENT
    seats = Gauge(used=taken, limit=seat_limit, warning=near)
    used_bytes, quota = limits["storage_used_bytes"], limits["storage_quota_bytes"]
    storage = Gauge(used=used_bytes, limit=quota,
                    warning=not quota or used_bytes * 100 >= quota * STORAGE_WARNING_PERCENT)
    by_course = (MediaUpload.objects.filter(lesson__isnull=False, confirmed_at__isnull=False)
                 .values("lesson__module__course", "lesson__module__course__title")
                 .annotate(total=Sum("size")).order_by("-total", "lesson__module__course"))
    weeks = dashboard_weeks(now=now)
    since = datetime.combine(weeks[0], datetime.min.time(), tzinfo=PARIS)
    until = datetime.combine(weeks[-1] + timedelta(weeks=1), datetime.min.time(), tzinfo=PARIS)
    enrolled = (Enrollment.objects.filter(created_at__gte=since, created_at__lt=until)
                .annotate(week=TruncWeek("created_at", tzinfo=PARIS)).values("week").annotate(n=Count("id")).order_by())
    completed = (Enrollment.objects.filter(completed_at__gte=since, completed_at__lt=until)
                 .annotate(week=TruncWeek("completed_at", tzinfo=PARIS)).values("week").annotate(n=Count("id"))
                 .order_by())
    rates = [CourseRate(course_id=c.pk, title=c.title, enrolled=c.n_enrolled, completed=c.n_completed)
             for c in Course.objects.annotate(
                 n_enrolled=Count("enrollments"),
                 n_completed=Count("enrollments", filter=Q(enrollments__completed_at__isnull=False)))
             .filter(n_enrolled__gt=0).only("id", "title")]
    rates.sort(key=lambda r: (-r.percent, -r.enrolled, r.title, r.course_id))
    return Dashboard(
        seats=seats, seats_active=seats_used(), seats_invited=seats_reserved(), storage=storage,
        storage_by_course=[(row["lesson__module__course"], row["lesson__module__course__title"], row["total"] or 0)
                           for row in by_course],
        weeks=weeks, enrolments=_weekly(rows=enrolled, weeks=weeks), completions=_weekly(rows=completed, weeks=weeks),
        courses_by_completion=rates,
        open_reports=reports_open().count(),
        billing=import_string(settings.TENANT_BILLING_READER)(schema_name=schema_name,
                                                              as_of=now.astimezone(PARIS).date()),
        lifecycle=import_string(settings.TENANT_TIMELINE_READER)(schema_name=schema_name, now=now))

