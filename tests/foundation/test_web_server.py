"""Issue 16 item 2: `make run` serves with gunicorn, the production server, and copes with a fresh
checkout whose database is a server of its own (DATABASE_URL set, no `.var/` yet)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mooc_platform import devstack

ROOT = Path(__file__).resolve().parents[2]


def _conf(env: dict[str, str], *names: str) -> list[str]:
    code = f"import mooc_platform.gunicorn_conf as c; print(*[getattr(c, n) for n in {names!r}], sep='|')"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    return out.split("|")


def test_gunicorn_threads_workers_and_reload_come_from_the_environment() -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WEB_")}
    assert _conf(base, "workers", "threads", "worker_class", "reload") == ["2", "4", "gthread", "False"]
    told = base | {"WEB_WORKERS": "3", "WEB_THREADS": "1", "WEB_RELOAD": "true", "WEB_MAX_REQUESTS": "1000"}
    assert _conf(told, "workers", "threads", "worker_class", "reload", "max_requests_jitter") == [
        "3", "1", "sync", "True", "100"]


class _Stopped:
    """What honcho looks like once one of its processes stopped."""

    returncode = 1

    def wait(self, timeout: float | None = None) -> int:
        return 1

    def poll(self) -> int:
        return 1


@pytest.mark.slow
def test_make_run_with_database_url_on_a_fresh_checkout(tmp_path, monkeypatch) -> None:
    """No `.var/` and a DATABASE_URL: the embedded PostgreSQL is not started, and nothing else may
    assume it created `.var/` (the S3 endpoint file, the broker folder, the e-mails go there)."""
    fresh = tmp_path / "checkout" / ".var"
    monkeypatch.setattr(devstack, "VAR_DIR", fresh)
    monkeypatch.setattr(devstack, "S3_ENDPOINT_FILE", fresh / "s3.endpoint")
    monkeypatch.setenv("MOOC_VAR_DIR", str(fresh))  # the S3 child process keeps its snapshot there
    for name in ("AWS_S3_ENDPOINT_URL", "CELERY_BROKER_URL", "CELERY_BROKER_FOLDER", "CELERY_RESULT_BACKEND",
                 "EMAIL_FILE_PATH", "WEB_RELOAD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/not-used")
    managed: list[tuple[str, ...]] = []
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(devstack, "_manage", lambda *args, env: managed.append(args))
    monkeypatch.setattr(devstack, "_procfile_start", lambda env: started.append(env) or _Stopped())
    monkeypatch.setattr(devstack, "postgres_ensure", lambda **kw: pytest.fail("DATABASE_URL is set"))

    assert devstack.command_run() == 1  # honcho's process stopped: run returns, nothing raised

    assert [args[0] for args in managed] == ["migrate_schemas", "seed_demo"]
    env = started[0]
    assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:1/not-used"
    assert env["WEB_RELOAD"] == "true"
    assert (fresh / "s3.endpoint").read_text() == env["AWS_S3_ENDPOINT_URL"]
    assert env["CELERY_BROKER_FOLDER"] == str(fresh / "broker")


def test_warm_up_reads_the_hot_tables_of_every_tenant_on_each_request_thread(demo, acme, settings) -> None:
    """WEB_PREWARM_TENANTS: each request thread of a gthread worker warms its own connection (the
    threads meet at a barrier, so none takes two warm-ups); the tenants' search_path is left alone."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from mooc_platform import warmup

    assert warmup.schemas_warm(schema_names=[demo.schema_name, acme.schema_name]) == 2 * len(settings.WARMUP_MODELS)
    assert connection.schema_name == "public"
    seen: list[str] = []
    real = warmup.schemas_warm

    def recorded(*, schema_names: list[str]) -> int:
        import threading

        seen.append(threading.current_thread().name)
        return len(schema_names)

    warmup.schemas_warm = recorded  # type: ignore[assignment]
    try:
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="request") as pool:
            warmup.connections_warm(tenants=1000, threads=3, pool=pool)
    finally:
        warmup.schemas_warm = real  # type: ignore[assignment]
    assert len(seen) == 3 and len(set(seen)) == 3


def test_warm_up_fills_the_host_cache_so_a_first_request_reads_no_domain(demo, acme, settings) -> None:
    """The warm-up also caches the host lookups of the tenants it warms (one query for all of them): the
    worker's first request on each of their hosts reads no domain row, and is routed to the right tenant."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from mooc_platform import warmup
    from tenants.routing import tenant_cache_clear
    from tests.helpers import host_of

    settings.TENANT_CACHE_SECONDS = 30
    tenant_cache_clear()
    with CaptureQueriesContext(connection) as captured:
        warmup.connections_warm(tenants=1000)
    assert sum('FROM "tenants_domain"' in q["sql"] for q in captured.captured_queries) == 1
    for tenant, name in ((demo, b"Demo University"), (acme, b"ACME Corporate Academy")):
        with CaptureQueriesContext(connection) as captured:
            page = Client(HTTP_HOST=host_of(tenant)).get("/")
        assert page.status_code == 200 and name in page.content
        # (the page itself reads its tenant's primary domain; the routing's read is by host name)
        assert [q["sql"] for q in captured.captured_queries if '"tenants_domain"."domain" =' in q["sql"]] == []
