"""Reads on maintenance windows. The courses app may call the first two (SPEC §2: courses →
maintenance, selectors only) to keep quiz deadlines and timed quizzes out of windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tenants.models import Tenant

from .models import MaintenanceNotice, MaintenanceWindow
from .rules import as_utc, platform_tz


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


def tenant_administrator_emails(*, tenant: Tenant) -> list[str]:
    """E-mail addresses of the tenant's active administrators (read in the tenant's own schema)."""
    with schema_context(tenant.schema_name):
        return list(
            User.objects.filter(role=User.Role.ADMINISTRATOR, is_active=True).order_by("email")
            .values_list("email", flat=True)
        )


def maintenance_notices_sent(*, window: MaintenanceWindow) -> QuerySet[MaintenanceNotice]:
    return MaintenanceNotice.objects.filter(window=window).order_by("sent_at", "id")


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


def sla_report_monthly_all_tenants(*, month: date) -> list[SlaRow]:
    """Availability of every organisation for one calendar month (Europe/Paris), SPEC R16–R17.

    availability = 1 − unannounced downtime / month duration. Planned windows (announced 48 hours
    ahead, GCS art. 8) are excluded from the downtime; emergency windows count as downtime. The
    month's duration is real time, so March and October have one hour less or more. Cancelled
    windows count for nothing. Percentages are rounded half-up to 3 decimals."""
    month_start, month_end = _month_bounds(month)
    month_seconds = int((month_end - month_start).total_seconds())
    windows = list(
        MaintenanceWindow.objects.exclude(status=MaintenanceWindow.Status.CANCELLED)
        .filter(start__lt=month_end, end__gt=month_start)
        .prefetch_related("tenants")
    )
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
            (emergency if window.kind == MaintenanceWindow.Kind.EMERGENCY else planned).append(clipped)
        downtime = _merged_seconds(emergency)
        availability = (Decimal(1) - Decimal(downtime) / Decimal(month_seconds)) * 100
        rows.append(SlaRow(
            tenant_id=tenant.id, tenant_slug=tenant.slug, tenant_name=tenant.name, month=f"{month:%Y-%m}",
            month_seconds=month_seconds, announced_maintenance_seconds=_merged_seconds(planned),
            unannounced_downtime_seconds=downtime,
            availability_percent=availability.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP),
        ))
    return rows
