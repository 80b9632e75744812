"""Reads on maintenance windows. The courses app may call `maintenance_windows_overlapping`,
`maintenance_window_next` and `maintenance_deadline_extended` (SPEC §2: courses → maintenance, selectors
only) to keep quiz deadlines and timed quizzes out of windows, and to stop the quiz clock during one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from mooc_platform.business_time import platform_tz
from tenants.models import Tenant

from .models import Incident, MaintenanceNotice, MaintenanceWindow
from .rules import as_utc


def _affecting(schema_name: str) -> Q:
    """Windows whose scope covers the tenant with this schema (a subquery, so no duplicate rows)."""
    through = MaintenanceWindow.tenants.through.objects.filter(tenant__schema_name=schema_name)
    return Q(scope=MaintenanceWindow.Scope.ALL) | Q(id__in=through.values("maintenancewindow_id"))


def maintenance_windows_overlapping(*, schema_name: str, start: datetime, end: datetime) -> QuerySet[MaintenanceWindow]:
    """Windows (scheduled or completed, never cancelled) of the tenant `schema_name` that overlap
    the interval [start, end), earliest first.

    With `start == end` it asks about one moment: a window contains t when window.start <= t < window.end.
    An interval that merely touches a window (ends exactly when it starts) does not overlap it."""
    windows = MaintenanceWindow.objects.exclude(status=MaintenanceWindow.Status.CANCELLED).filter(
        _affecting(schema_name), end__gt=start
    )
    windows = windows.filter(start__lte=end) if start == end else windows.filter(start__lt=end)
    return windows.order_by("start", "id")


def _merged(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted union of intervals; intervals that overlap or touch become one."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def maintenance_deadline_extended(*, schema_name: str, deadline: datetime, since: datetime | None = None) -> datetime:
    """When `deadline` effectively falls for the tenant `schema_name` if its clock stops during maintenance
    (issue 9 item 6, GCS art. 8: nobody loses time to a window, planned or emergency, never a cancelled one).

    Every minute of maintenance between `since` and the deadline pushes it a minute later (and a window the
    pushed deadline reaches pushes it again): a 30-minute quiz started 10 minutes before a 6-hour window
    ends 20 minutes after the window. Without `since` only the maintenance the deadline falls into counts,
    from the start of that interruption: a deadline at 15:00 in a 12:00–18:00 window moves to 21:00."""
    deadline = as_utc(deadline)
    return _deadline_extended(intervals=_interruptions_since(schema_name=schema_name, since=since or deadline),
                              deadline=deadline, since=since)


def maintenance_deadlines_extended(*, schema_name: str, deadlines: list[datetime]) -> dict[datetime, datetime]:
    """`maintenance_deadline_extended` of many deadlines (no `since`) in one query: each → when it falls."""
    if not deadlines:
        return {}
    intervals = _interruptions_since(schema_name=schema_name, since=min(as_utc(d) for d in deadlines))
    return {d: _deadline_extended(intervals=intervals, deadline=as_utc(d), since=None) for d in deadlines}


def _interruptions_since(*, schema_name: str, since: datetime) -> list[tuple[datetime, datetime]]:
    # Windows ending up to two days earlier may still be part of the interruption a deadline falls into.
    windows = MaintenanceWindow.objects.exclude(status=MaintenanceWindow.Status.CANCELLED).filter(
        _affecting(schema_name), end__gt=as_utc(since) - timedelta(days=2))
    return _merged([(as_utc(w.start), as_utc(w.end)) for w in windows.only("start", "end")])


def _deadline_extended(*, intervals: list[tuple[datetime, datetime]], deadline: datetime,
                       since: datetime | None) -> datetime:
    if since is None:
        containing = next(((s, e) for s, e in intervals if s <= deadline < e), None)
        if containing is None:
            return deadline
        since = containing[0]
    since = as_utc(since)
    effective = deadline
    for start, end in intervals:
        if start >= effective:
            break
        if end > since:
            effective += end - max(start, since)
    return effective


def maintenance_planned_windows_adjoining(*, start: datetime, end: datetime, exclude_id: int | None = None
                                          ) -> list[MaintenanceWindow]:
    """Planned windows (scheduled or completed) that could make one interruption with a window from `start`
    to `end`: those within 25 hours of it, since an interruption of more than 24 hours is refused anyway."""
    margin = timedelta(hours=25)
    windows = (MaintenanceWindow.objects.exclude(status=MaintenanceWindow.Status.CANCELLED)
               .filter(kind=MaintenanceWindow.Kind.PLANNED, start__lte=as_utc(end) + margin,
                       end__gte=as_utc(start) - margin)
               .prefetch_related("tenants").order_by("start", "id"))
    if exclude_id is not None:
        windows = windows.exclude(id=exclude_id)
    return list(windows)


def maintenance_quiz_deadlines_between(*, tenants: list[Tenant], start: datetime, end: datetime
                                       ) -> list[dict[str, Any]]:
    """The quiz deadlines of `tenants` inside [start, end): what the operator is told about a window
    (issue 9 item 6). Rows `{tenant_slug, tenant_name, course_id, course_title, lesson_id, lesson_title,
    deadline}` (deadline in ISO 8601 UTC), by organisation then deadline.

    Quizzes belong to the courses app, which this app may not import (SPEC §2: courses → maintenance): the
    project names the reader in `MAINTENANCE_QUIZ_DEADLINES_READER` (a dotted path, settings being the one
    place that may name apps); it takes `schema_names`, `start`, `end` and returns rows with `schema_name`."""
    path = getattr(settings, "MAINTENANCE_QUIZ_DEADLINES_READER", "")
    if not path or not tenants:
        return []
    by_schema = {tenant.schema_name: tenant for tenant in tenants}
    rows = import_string(path)(schema_names=sorted(by_schema), start=as_utc(start), end=as_utc(end))
    found = [
        {"tenant_slug": by_schema[row["schema_name"]].slug, "tenant_name": by_schema[row["schema_name"]].name,
         "course_id": row["course_id"], "course_title": row["course_title"], "lesson_id": row["lesson_id"],
         "lesson_title": row["lesson_title"],
         "deadline": as_utc(row["deadline"]).isoformat().replace("+00:00", "Z")}
        for row in rows
    ]
    return sorted(found, key=lambda r: (r["tenant_slug"], r["deadline"], r["course_title"], r["lesson_id"]))


def maintenance_window_next(*, schema_name: str, now: datetime) -> MaintenanceWindow | None:
    """The tenant's window in force at `now`, else its next scheduled one, else None."""
    return (
        MaintenanceWindow.objects.filter(_affecting(schema_name), status=MaintenanceWindow.Status.SCHEDULED,
                                         end__gt=now)
        .order_by("start", "id")
        .first()
    )


def maintenance_windows_of_tenant(*, schema_name: str) -> QuerySet[MaintenanceWindow]:
    """What a tenant may read about its own scope: announced windows, newest first (tenant API)."""
    return (
        MaintenanceWindow.objects.filter(_affecting(schema_name), announced_at__isnull=False)
        .order_by("-start", "-id")
    )


def maintenance_windows_public(*, now: datetime, past_days: int = 90) -> dict[str, list[MaintenanceWindow]]:
    """The status page: windows in force, upcoming, and ended in the last `past_days` days (not cancelled)."""
    windows = list(
        MaintenanceWindow.objects.exclude(status=MaintenanceWindow.Status.CANCELLED)
        .filter(announced_at__isnull=False, end__gt=now - timedelta(days=past_days))
        .order_by("start", "id")
    )
    return {
        "current": [w for w in windows if w.start <= now < w.end],
        "upcoming": [w for w in windows if w.start > now],
        "past": sorted((w for w in windows if w.end <= now), key=lambda w: w.start, reverse=True),
    }


def maintenance_window_tenants(*, window: MaintenanceWindow) -> QuerySet[Tenant]:
    """The organisations a window affects that still have access (not in retention, not destroyed)."""
    tenants = Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).exclude(
        state__in=[Tenant.State.RETENTION, Tenant.State.PURGED]
    )
    if window.scope == MaintenanceWindow.Scope.SELECTED:
        tenants = tenants.filter(id__in=window.tenants.values("id"))
    return tenants.order_by("id")


def maintenance_window_tenants_told(*, window: MaintenanceWindow) -> QuerySet[Tenant]:
    """The organisations already sent an announcement of `window` (any revision): those a cancellation reaches."""
    told = MaintenanceNotice.objects.filter(window=window, kind=MaintenanceNotice.Kind.ANNOUNCEMENT)
    return Tenant.objects.filter(id__in=told.values("tenant_id")).order_by("name", "id")


def maintenance_windows_operator_list(*, status: str = "", now: datetime) -> QuerySet[MaintenanceWindow]:
    """The operators' list: every window (or those of `status`; "ahead" = scheduled and not ended), the
    windows still to come first, then the most recent."""
    windows = MaintenanceWindow.objects.prefetch_related("tenants")
    if status == "ahead":
        return windows.filter(status=MaintenanceWindow.Status.SCHEDULED, end__gt=now).order_by("start", "id")
    if status in MaintenanceWindow.Status.values:
        windows = windows.filter(status=status)
    return windows.order_by("-start", "-id")


# --- SLA report (operators) ---------------------------------------------------------------------


@dataclass(frozen=True)
class SlaRow:
    tenant_id: int
    tenant_slug: str
    tenant_name: str
    month: str
    month_seconds: int
    announced_maintenance_seconds: int
    unannounced_downtime_seconds: int
    availability_percent: Decimal
    incident_seconds: int = 0
    force_majeure_seconds: int = 0
    target_percent: Decimal = Decimal("99")
    target_met: bool = True


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    """First instant of the month and of the next one in Europe/Paris, as aware datetimes."""
    tz = platform_tz()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    following = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    return as_utc(start), as_utc(following)


def _merged_seconds(intervals: list[tuple[datetime, datetime]]) -> int:
    """Total length of the union of the intervals (overlapping windows are not counted twice)."""
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return int(total)


def sla_target_percent() -> Decimal:
    """The availability the platform commits to (`001_…` §14: at least 99 %), MAINTENANCE_AVAILABILITY_TARGET."""
    return Decimal(str(getattr(settings, "MAINTENANCE_AVAILABILITY_TARGET", "99")))


def sla_report_monthly_all_tenants(*, month: date, now: datetime | None = None) -> list[SlaRow]:
    """Availability of every organisation for one calendar month (Europe/Paris), SPEC R16–R17, R26.

    availability = 1 − unannounced downtime / month duration. Planned windows (announced 48 hours
    ahead, GCS art. 8) are excluded from the downtime; emergency windows count as downtime, and so does a
    planned window whose announcement reached the organisation late (less than 48 hours ahead), and so do
    unplanned incidents (an incident in progress up to `now`). Force-majeure incidents are reported apart
    (`force_majeure_seconds`) and left out of the downtime: GCS art. 8 excludes force majeure from the
    commitment. Overlaps count once. The month's duration is real time, so March and October have one hour
    less or more. Cancelled windows count for nothing. Percentages are rounded half-up to 3 decimals;
    `target_met` compares them with `sla_target_percent()`."""
    now = now or timezone.now()
    target = sla_target_percent()
    month_start, month_end = _month_bounds(month)
    incidents = list(Incident.objects.filter(start__lt=month_end).filter(Q(end__isnull=True) | Q(end__gt=month_start))
                     .prefetch_related("tenants"))
    month_seconds = int((month_end - month_start).total_seconds())
    windows = list(
        MaintenanceWindow.objects.exclude(status=MaintenanceWindow.Status.CANCELLED)
        .filter(start__lt=month_end, end__gt=month_start)
        .prefetch_related("tenants")
    )
    revisions = {window.id: window.revision for window in windows}
    announced_late = {
        (window_id, tenant_id) for window_id, tenant_id, revision in MaintenanceNotice.objects.filter(
            window_id__in=list(revisions), kind=MaintenanceNotice.Kind.ANNOUNCEMENT, late=True,
        ).values_list("window_id", "tenant_id", "revision") if revisions[window_id] == revision
    }
    rows = []
    tenants = Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).exclude(
        state=Tenant.State.PURGED).order_by("slug")
    for tenant in tenants:
        planned: list[tuple[datetime, datetime]] = []
        emergency: list[tuple[datetime, datetime]] = []
        for window in windows:
            if window.scope == MaintenanceWindow.Scope.SELECTED and tenant not in window.tenants.all():
                continue
            clipped = (max(window.start, month_start), min(window.end, month_end))
            unannounced = window.kind == MaintenanceWindow.Kind.EMERGENCY or (window.id, tenant.id) in announced_late
            (emergency if unannounced else planned).append(clipped)
        unplanned: list[tuple[datetime, datetime]] = []
        force_majeure: list[tuple[datetime, datetime]] = []
        for incident in incidents:
            if incident.scope == Incident.Scope.SELECTED and tenant not in incident.tenants.all():
                continue
            clipped = (max(incident.start, month_start), min(incident.end or now, month_end))
            if clipped[1] > clipped[0]:
                (force_majeure if incident.force_majeure else unplanned).append(clipped)
        downtime = _merged_seconds(emergency + unplanned)
        availability = ((Decimal(1) - Decimal(downtime) / Decimal(month_seconds)) * 100).quantize(
            Decimal("0.001"), rounding=ROUND_HALF_UP)
        rows.append(SlaRow(
            tenant_id=tenant.id, tenant_slug=tenant.slug, tenant_name=tenant.name, month=f"{month:%Y-%m}",
            month_seconds=month_seconds, announced_maintenance_seconds=_merged_seconds(planned),
            unannounced_downtime_seconds=downtime, availability_percent=availability,
            incident_seconds=_merged_seconds(unplanned), force_majeure_seconds=_merged_seconds(force_majeure),
            target_percent=target, target_met=availability >= target,
        ))
    return rows


def incidents_public(*, now: datetime, past_days: int = 90) -> dict[str, list[Incident]]:
    """The status page and the iCalendar feed: incidents in progress, and those ended in the last `past_days`
    days, newest first (they name no organisation: 'all' or 'some organisations')."""
    incidents = list(Incident.objects.filter(Q(end__isnull=True) | Q(end__gt=now - timedelta(days=past_days)))
                     .filter(start__lte=now).order_by("-start", "-id"))
    return {"current": [i for i in incidents if i.end is None],
            "past": [i for i in incidents if i.end is not None]}
