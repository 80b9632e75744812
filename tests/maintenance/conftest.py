"""Fixtures of the maintenance tests: an operator, the clock, no snapshot cache. Windows come from
`MaintenanceWindowFactory` (tests/factories.py), times from tests/maintenance/helpers.py; the old names
stay importable from here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from maintenance import state
from maintenance.models import MaintenanceWindow
from mooc_platform.accounts.models import User
from mooc_platform.celery import app as celery_app
from tests.factories import MaintenanceWindowFactory
from tests.helpers import celery_worker_wake
from tests.maintenance.helpers import MARCH_SAT_NOON, OCTOBER_SAT_NOON, PARIS, paris

__all__ = ["MARCH_SAT_NOON", "OCTOBER_SAT_NOON", "PARIS", "paris", "window_schedule"]

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
    celery_worker_wake()


@pytest.fixture
def operator(db: None) -> User:
    return User.objects.get(email="operator@demo.test")


def window_schedule(**fields: Any) -> MaintenanceWindow:
    """Old name of `MaintenanceWindowFactory(**fields)`."""
    return MaintenanceWindowFactory(**fields)


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
