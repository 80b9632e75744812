"""Every process of the suite reads the same clock, so `make test-future` (the whole suite run again
under libfaketime, a year and more ahead) moves Python, PostgreSQL's `now()` and the worker together."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime

from django.db import connection


def test_python_and_postgresql_read_the_same_clock(db) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        database_now = cursor.fetchone()[0]
    assert abs((database_now - datetime.now(UTC)).total_seconds()) < 60


def test_the_future_run_is_really_in_the_future() -> None:
    """Under `make test-future` the clock seen here is FAKETIME ahead of the machine's real clock."""
    shift = os.environ.get("FAKETIME", "")
    real_env = {k: v for k, v in os.environ.items() if k not in {"LD_PRELOAD", "FAKETIME"}}
    real_now = int(subprocess.run(["date", "+%s"], env=real_env, capture_output=True, text=True,
                                  check=True).stdout)
    ahead_days = (datetime.now(UTC).timestamp() - real_now) / 86400
    if shift.startswith("+") and shift.endswith("d"):
        assert abs(ahead_days - int(shift[1:-1])) < 1
    else:
        assert abs(ahead_days) < 1
