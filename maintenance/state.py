"""The windows that matter right now, cached briefly for the middleware and the banner.

The snapshot holds every scheduled window that has not ended (a handful at most) with the schemas it
covers; whether one is *in force* is decided on each request from the real clock, so a window starts
and ends on time even with a cached snapshot. Only a window created, moved or cancelled in another
process can take MAINTENANCE_CACHE_SECONDS (0 = no cache; unset = min(5, TENANT_CACHE_SECONDS)) to be seen.
The snapshot lives in Django's `default` cache: this process's memory unless CACHE_URL names a shared
cache, which every process then reads (and `maintenance_cache_clear()` then clears for all of them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache

from .models import MaintenanceWindow


@dataclass(frozen=True)
class ActiveWindow:
    id: int
    start: datetime
    end: datetime
    kind: str
    all_tenants: bool
    schemas: frozenset[str]
    announced_at: datetime | None
    message_fr: str
    message_en: str

    def affects(self, schema_name: str) -> bool:
        return self.all_tenants or schema_name in self.schemas

    def in_force(self, now: datetime) -> bool:
        return self.start <= now < self.end

    def message(self, language: str) -> str:
        return self.message_fr if (language or "").startswith("fr") else self.message_en


_SNAPSHOT_KEY = "maintenance.state:windows"


def maintenance_cache_clear() -> None:
    cache.delete(_SNAPSHOT_KEY)


def _load(now: datetime) -> list[ActiveWindow]:
    windows = (
        MaintenanceWindow.objects.filter(status=MaintenanceWindow.Status.SCHEDULED, end__gt=now)
        .prefetch_related("tenants")
        .order_by("start", "id")
    )
    return [
        ActiveWindow(
            id=w.id, start=w.start, end=w.end, kind=w.kind, all_tenants=w.scope == MaintenanceWindow.Scope.ALL,
            schemas=frozenset(t.schema_name for t in w.tenants.all()), announced_at=w.announced_at,
            message_fr=w.message_fr, message_en=w.message_en,
        )
        for w in windows
    ]


def windows_not_ended(now: datetime) -> list[ActiveWindow]:
    """Scheduled windows that have not ended at `now` (from the cache when it is fresh)."""
    ttl = getattr(settings, "MAINTENANCE_CACHE_SECONDS", None)
    if ttl is None:
        ttl = min(5, getattr(settings, "TENANT_CACHE_SECONDS", 0))
    hit = cache.get(_SNAPSHOT_KEY) if ttl else None
    if hit is not None:
        return [w for w in hit if w.end > now]
    windows = _load(now)
    if ttl:
        cache.set(_SNAPSHOT_KEY, windows, ttl)
    return windows


def window_in_force(*, schema_name: str, now: datetime,
                    windows: list[ActiveWindow] | None = None) -> ActiveWindow | None:
    """The window in force for this tenant at `now` (the one ending last if several overlap)."""
    windows = windows_not_ended(now) if windows is None else windows
    current = [w for w in windows if w.affects(schema_name) and w.in_force(now)]
    return max(current, key=lambda w: w.end) if current else None


def windows_to_announce(*, schema_name: str, now: datetime,
                        windows: list[ActiveWindow] | None = None) -> list[ActiveWindow]:
    """Windows of this tenant announced at or before `now` and not ended: the banner (SPEC R16)."""
    windows = windows_not_ended(now) if windows is None else windows
    return [w for w in windows
            if w.affects(schema_name) and w.end > now and w.announced_at is not None and w.announced_at <= now]
