"""Issue 11 item 2, done when: two gunicorn workers of the embedded stack share the sign-in counters.
Two real gunicorn processes serve the test database on loopback with the default cache settings (no
Redis: the shared database cache); failed sign-ins spread over both count as one series."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import AccessToken
from mooc_platform.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port: int, host: str, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Host": f"{host}:{port}", "Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def two_workers(django_db_setup: None) -> Iterator[list[int]]:
    """Two gunicorn processes on the test database, with the cache settings of the embedded stack."""
    url = urlsplit(os.environ["DATABASE_URL"])
    test_db = connection.settings_dict["NAME"]
    env = {key: value for key, value in os.environ.items() if key not in ("CACHE_URL", "REDIS_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "mooc_platform.settings.test",
                "DATABASE_URL": urlunsplit(url._replace(path=f"/{test_db}"))})
    ports = [_free_port(), _free_port()]
    servers = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "mooc_platform.wsgi:application", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         # No worker timeout: under `make test-future` libfaketime moves time.time() but not the mtime
         # of the heartbeat file gunicorn's arbiter compares it with, and it would kill its worker.
         "--timeout", "0"], cwd=ROOT, env=env) for port in ports]
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _request(port, "localhost", "GET", "/healthz")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def _token(port: int, host: str, email: str, password: str) -> tuple[int, str]:
    status, body = _request(port, host, "POST", "/api/v1/auth/token/", {"email": email, "password": password})
    data = json.loads(body)
    return status, data["error"]["code"] if "error" in data else "token"


def test_two_workers_count_failed_sign_ins_together(two_workers, transactional_db, demo) -> None:
    host = demo.get_primary_domain().domain
    first, second = two_workers
    with connection.cursor() as cursor:  # the servers' cache, even when this process was given Redis
        cursor.execute("DELETE FROM public.mooc_cache")
    assert _token(first, host, "learner1@demo.test", DEMO_PASSWORD) == (200, "token")
    for n in range(5):  # 5 failures for one account from one address, alternating between the processes
        assert _token((first, second)[n % 2], host, "learner1@demo.test", "wrong-password-1") == (
            400, "invalid_credentials")
    # Each process saw 2 or 3 failures only: the limit of 5 holds because the counter is shared.
    assert _token(first, host, "learner1@demo.test", DEMO_PASSWORD) == (429, "login_throttled")
    assert _token(second, host, "learner1@demo.test", DEMO_PASSWORD) == (429, "login_throttled")
    assert _token(second, host, "learner2@demo.test", DEMO_PASSWORD) == (200, "token")
    with schema_context(demo.schema_name):  # committed in the tenant schema, which no flush empties
        AccessToken.objects.filter(user__email__in=["learner1@demo.test", "learner2@demo.test"]).delete()
