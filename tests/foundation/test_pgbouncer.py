"""Issue 16 item 2: PgBouncer in session mode is the documented pooler (infra/pgbouncer/pgbouncer.ini).
A pooled server connection never carries one tenant's `search_path` into another tenant's request.

PgBouncer (Debian's package, installed by `make install-test` like chromium) runs with ONE server
connection in front of the test database, so every client, every request, shares it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg2
import pytest
from django.db import connection

from tests.servers import free_port, gunicorn_servers, http_request, port_wait

ROOT = Path(__file__).resolve().parents[2]
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup: None) -> Iterator[int]:
    """PgBouncer on a loopback port, session pooling, one server connection to the test database."""
    url = urlsplit(os.environ["DATABASE_URL"])
    host, port = unquote(url.hostname or ""), url.port or 5432
    if url.netloc.count("%2F") or "%2f" in url.netloc:  # a unix-socket folder (the embedded PostgreSQL)
        host = unquote(url.netloc.split("@")[-1])
    test_db = connection.settings_dict["NAME"]
    listen = free_port()
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
        port_wait(listen, process, "pgbouncer")
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


@pytest.mark.parametrize("conn_max_age", ["0", "600"])
def test_requests_of_two_tenants_through_one_pooled_connection_never_mix(pgbouncer, conn_max_age) -> None:
    """gunicorn (the production server, one sync worker) on the pooled database: every request reaches
    the single server connection; alternating tenants, each page shows its own organisation only."""
    test_db = connection.settings_dict["NAME"]
    env = {"TENANT_CACHE_SECONDS": "300", "DB_CONN_MAX_AGE": conn_max_age,
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pgbouncer}/{test_db}"}
    with gunicorn_servers(1, env=env) as [web]:
        for _ in range(6):
            for host, own, other in (("demo.localhost", "Demo University", "ACME Corporate Academy"),
                                     ("acme.localhost", "ACME Corporate Academy", "Demo University"),
                                     ("localhost", "Operator console", "Demo University")):
                status, body = http_request(web, host, "/")
                assert status == 200, body[:300]
                assert own.encode() in body and other.encode() not in body
