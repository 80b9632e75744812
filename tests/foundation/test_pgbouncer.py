"""Issue 16 item 2: PgBouncer in session mode is the documented pooler (infra/pgbouncer/pgbouncer.ini).
A pooled server connection never carries one tenant's `search_path` into another tenant's request.

PgBouncer (Debian's package, installed by `make install-test` like chromium) runs with ONE server
connection in front of the test database, so every client, every request, shares it."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.1)


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup: None) -> Iterator[int]:
    """PgBouncer on a loopback port, session pooling, one server connection to the test database."""
    url = urlsplit(os.environ["DATABASE_URL"])
    host, port = unquote(url.hostname or ""), url.port or 5432
    if url.netloc.count("%2F") or "%2f" in url.netloc:  # a unix-socket folder (the embedded PostgreSQL)
        host = unquote(url.netloc.split("@")[-1])
    test_db = connection.settings_dict["NAME"]
    listen = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    (folder / "pgbouncer.ini").write_text(f"""
[databases]
{test_db} = host={host} port={port} dbname={test_db} user={url.username or 'postgres'}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = any
pool_mode = session
server_reset_query = DISCARD ALL
default_pool_size = 1
max_db_connections = 1
max_client_conn = 20
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
""")
    as_root = os.geteuid() == 0  # PgBouncer refuses to run as root: as the postgres user then
    if as_root:
        shutil.chown(folder, user="postgres", group="postgres")
        shutil.chown(folder / "pgbouncer.ini", user="postgres", group="postgres")
    process = subprocess.Popen([PGBOUNCER, str(folder / "pgbouncer.ini")], cwd="/",
                               user="postgres" if as_root else None, group="postgres" if as_root else None,
                               extra_groups=[] if as_root else None)
    try:
        _wait_port(listen, process, "pgbouncer")
        yield listen
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def _pooled(port: int) -> psycopg2.extensions.connection:
    return psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=connection.settings_dict["NAME"])


def test_the_next_client_of_a_pooled_connection_finds_no_search_path_of_the_last(pgbouncer) -> None:
    first = _pooled(pgbouncer)
    with first.cursor() as cursor:
        cursor.execute("SET search_path TO t_demo")
        cursor.execute("SELECT pg_backend_pid(), current_setting('search_path')")
        backend, path = cursor.fetchone()
    first.commit()
    assert path == "t_demo"
    first.close()
    second = _pooled(pgbouncer)
    with second.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_setting('search_path')")
        assert cursor.fetchone() == (backend, '"$user", public')  # the same server connection, reset
    second.close()


def _get(port: int, host: str, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": f"{host}:{port}"})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@pytest.mark.parametrize("conn_max_age", ["0", "600"])
def test_requests_of_two_tenants_through_one_pooled_connection_never_mix(pgbouncer, conn_max_age) -> None:
    """gunicorn (the production server, one sync worker) on the pooled database: every request reaches
    the single server connection; alternating tenants, each page shows its own organisation only."""
    web = _free_port()
    test_db = connection.settings_dict["NAME"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mooc_platform.settings.test", "TENANT_CACHE_SECONDS": "300",
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pgbouncer}/{test_db}", "DB_CONN_MAX_AGE": conn_max_age,
           "HOST": "127.0.0.1", "PORT": str(web), "WEB_WORKERS": "1", "WEB_THREADS": "1", "WEB_TIMEOUT": "0",
           "WEB_LOG_LEVEL": "warning"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:mooc_platform.gunicorn_conf",
                               "mooc_platform.wsgi:application"], cwd=ROOT, env=env)
    try:
        _wait_port(web, server, "gunicorn")
        for _ in range(6):
            for host, own, other in (("demo.localhost", "Demo University", "ACME Corporate Academy"),
                                     ("acme.localhost", "ACME Corporate Academy", "Demo University"),
                                     ("localhost", "Operator console", "Demo University")):
                status, body = _get(web, host, "/")
                assert status == 200, body[:300]
                assert own in body and other not in body
    finally:
        server.terminate()
        server.wait(timeout=30)
