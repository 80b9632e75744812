"""Helpers of the claims tests: the demo administrator and a window that concerned demo, in the past."""

from __future__ import annotations

from datetime import datetime, timedelta

from django_tenants.utils import schema_context

from maintenance.models import MaintenanceWindow
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.factories import MaintenanceWindowFactory


def administrator_of(tenant: Tenant, email: str | None = None) -> User:
    with schema_context(tenant.schema_name):
        return User.objects.get(email=email or f"admin@{tenant.slug}.test")


def saturday_noon_before(moment: datetime) -> datetime:
    """The last Saturday 12:00 (Paris) at least a day before `moment`: a planned window's start."""
    from mooc_platform.business_time import platform_tz

    local = moment.astimezone(platform_tz()) - timedelta(days=1)
    local = local.replace(hour=12, minute=0, second=0, microsecond=0)
    while local.weekday() != 5:
        local -= timedelta(days=1)
    return local


def past_window(*, tenants: list[Tenant], now: datetime, hours: int = 4) -> MaintenanceWindow:
    """A planned window over `tenants`, scheduled 3 days ahead of it, that started before `now`."""
    import time_machine

    start = saturday_noon_before(now)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        return MaintenanceWindowFactory(start=start, hours=hours, tenants=tenants, now=start - timedelta(days=3))
