"""The embedded PostgreSQL (`make run`, `make test`, `make bench`) starts with its settings and with room to
keep many tenants' files open (issue 16 item 3; README, "Scaling the web tier").

Each test starts a cluster of its own (initdb in a temporary folder, ~2 s), both ways devstack starts one:
`pg_ctl` in the background, and as a child of `make run`."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from mooc_platform import devstack

pytestmark = pytest.mark.slow


@pytest.fixture
def private_cluster_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # Under /var/tmp: the postgres user (when these tests run as root) cannot reach pytest's 0700 tmp_path.
    home = Path(tempfile.mkdtemp(prefix="mooc-test-pg-", dir="/var/tmp"))
    if os.geteuid() == 0:
        shutil.chown(home, user=devstack.PG_OS_USER, group=devstack.PG_OS_USER)
    monkeypatch.setattr(devstack, "_pg_home", lambda: home)
    yield home
    shutil.rmtree(home, ignore_errors=True)


def _soft_and_hard_open_files(pid: int) -> tuple[str, str]:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return line.split()[3], line.split()[4]
    raise AssertionError("no open-file limit in /proc")


@pytest.mark.parametrize("foreground", [False, True], ids=["pg_ctl", "child of make run"])
def test_embedded_postgres_starts_with_its_settings_and_its_open_file_limit_raised(
        private_cluster_home: Path, foreground: bool) -> None:
    server = devstack.postgres_ensure(database="probe", foreground=foreground)
    try:
        conn = psycopg2.connect(host=str(private_cluster_home / "run"), user="postgres", dbname="probe")
        with conn, conn.cursor() as cursor:
            shown = {}
            for name in devstack.PG_SETTINGS:
                cursor.execute(f"SHOW {name}")
                shown[name] = cursor.fetchone()[0]
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        conn.close()
        assert shown == devstack.PG_SETTINGS
        # runuser's PAM session starts PostgreSQL at 1,024 open files whatever the hard limit: the start raises it,
        # else max_files_per_process would be capped there without a word.
        soft, hard = _soft_and_hard_open_files(backend)
        assert soft == hard or int(soft) >= int(devstack.PG_SETTINGS["max_files_per_process"]), (soft, hard)
    finally:
        assert server.stop is not None  # started here
        server.stop()
