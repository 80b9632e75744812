"""Issue 9 item 14: the host -> tenant cache of every process follows a state change as soon as it
commits. Two real gunicorn processes (one worker each, the cache on for 300 s) serve the test database
on loopback; the test changes the state in its own process and asks both servers."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.utils import timezone

from tenants.models import Tenant
from tenants.services import tenant_purge, tenant_suspend

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, host: str, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": f"{host}:{port}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def two_servers(django_db_setup: None) -> Iterator[list[int]]:
    """Two gunicorn processes on the test database, each with its own host cache (300 s)."""
    url = urlsplit(os.environ["DATABASE_URL"])
    test_db = connection.settings_dict["NAME"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mooc_platform.settings.test", "TENANT_CACHE_SECONDS": "300",
           "DATABASE_URL": urlunsplit(url._replace(path=f"/{test_db}"))}
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
                    _get(port, "localhost", "/healthz")
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


def _error_code(body: bytes) -> str:
    return json.loads(body)["error"]["code"]


def test_a_suspension_is_seen_by_every_process_once_it_commits(two_servers, transactional_db, demo) -> None:
    host = demo.get_primary_domain().domain
    for port in two_servers:  # both processes cache the active tenant
        status, body = _get(port, host, "/api/v1/courses/")
        assert (status, _error_code(body)) == (401, "not_authenticated")

    tenant_suspend(tenant=demo, reason="non-payment", notify=False)

    for port in two_servers:
        status, body = _get(port, host, "/api/v1/courses/")
        assert (status, _error_code(body)) == (403, "tenant_suspended")


def test_a_purged_tenant_answers_404_in_every_process_never_500(two_servers, transactional_db, make_tenant) -> None:
    tenant = make_tenant()
    host = tenant.get_primary_domain().domain
    past = timezone.now() - timedelta(days=1)
    Tenant.objects.filter(pk=tenant.pk).update(state=Tenant.State.RETENTION, access_ends_at=past - timedelta(days=180),
                                               retention_ends_at=past)
    tenant.refresh_from_db()
    for port in two_servers:  # both processes cache the tenant in retention, its schema still there
        assert _get(port, host, "/login/")[0] == 200

    tenant_purge(tenant=tenant)

    for port in two_servers:
        status, body = _get(port, host, "/login/")
        assert status == 404, body[:300]
        assert b"No organisation at this address" in body
