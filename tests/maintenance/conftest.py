"""Fixtures of the maintenance tests: Paris times, an operator, windows scheduled through the service.

DST weekends of 2027 in Europe/Paris: clocks go forward on Sunday 28 March (02:00 → 03:00) and back on
Sunday 31 October (03:00 → 02:00); Saturdays 27 March and 30 October are the windows' days."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from maintenance import state
from maintenance.models import MaintenanceWindow
from maintenance.services import maintenance_window_schedule
from mooc_platform.accounts.models import User
from mooc_platform.celery import app as celery_app

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Paris wall-clock time, returned in UTC: arithmetic on it is then real elapsed time (Python
    adds and subtracts datetimes of one tzinfo on the wall clock)."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


# A Saturday at noon in winter time, the day before clocks go forward.
MARCH_SAT_NOON = paris(2027, 3, 27, 12)
# A Saturday at noon in summer time, the day before clocks go back.
OCTOBER_SAT_NOON = paris(2027, 10, 30, 12)


@pytest.fixture(autouse=True)
def _maintenance_uncached(settings: Any) -> Iterator[None]:
    """No snapshot cache, and tasks queued on commit run inline (no worker needed)."""
    settings.MAINTENANCE_CACHE_SECONDS = 0
    state.maintenance_cache_clear()
    cache.clear()  # the login throttle counts token requests across tests
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager
    state.maintenance_cache_clear()
    _celery_worker_wake()


def _celery_worker_wake() -> None:
    """time-machine moves time.monotonic too. A Celery worker thread already running (the session
    worker of tests/conftest.py) may be in kombu's drain_events with a timeout counted from a 2027
    start: it never times out, and cannot shut down at the end of the session. A message wakes it."""
    from mooc_platform.tasks import worker_ping

    if any(thread.name.endswith("(start)") for thread in threading.enumerate()):
        with contextlib.suppress(Exception):
            worker_ping.apply_async()


@pytest.fixture
def operator(db: None) -> User:
    return User.objects.get(email="operator@demo.test")


_DEFAULT: Any = object()


def window_schedule(*, start: datetime, hours: float = 6, now: datetime | None = _DEFAULT, tenants: list | None = None,
                    actor: Any = None, **extra: Any) -> MaintenanceWindow:
    """A planned window scheduled `now` (default: 3 days before it starts; `now=None` reads the clock)."""
    values: dict[str, Any] = {
        "start": start, "end": start + timedelta(hours=hours),
        "scope": MaintenanceWindow.Scope.SELECTED if tenants else MaintenanceWindow.Scope.ALL,
        "tenants": tenants or [], "reason": "PostgreSQL upgrade",
        "message_fr": "Mise à jour de la base de données.", "message_en": "Database upgrade.",
        "actor": actor, "now": start - timedelta(days=3) if now is _DEFAULT else now,
    }
    values.update(extra)
    return maintenance_window_schedule(**values)


@pytest.fixture
def clock() -> Iterator[Any]:
    """`clock(moment)` moves the clock of this process (and of the live server's threads) to `moment`."""
    travellers: list[Any] = []

    def move(moment: datetime, tick: bool = False) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=tick)
        traveller.start()
        travellers.append(traveller)

    yield move
    while travellers:
        travellers.pop().stop()
