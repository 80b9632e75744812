"""Real servers the tests start on loopback: gunicorn processes, the production server configured by
mooc_platform/gunicorn_conf.py, serving the test database (issue 11 item 2, issue 9 item 14, issue 16)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_wait(port: int, process: subprocess.Popen, what: str) -> None:
    """Until `port` accepts connections; fails when `process` exits first or after 60 s."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.1)


def http_request(port: int, host: str, path: str, *, method: str = "GET",
                 body: dict | None = None) -> tuple[int, bytes]:
    """One request to 127.0.0.1:`port` for `host` (a JSON body when given): its status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Host": f"{host}:{port}", "Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def database_url_of_tests() -> str:
    """DATABASE_URL naming the test database (the one this process's connection uses)."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))


@contextmanager
def gunicorn_servers(count: int, *, env: dict[str, str] | None = None,
                     drop: tuple[str, ...] = ()) -> Iterator[list[int]]:
    """`count` gunicorn processes (one sync worker each) on the test database; yields their ports.
    `env` is added to this process's environment and `drop` taken out of it."""
    base = {key: value for key, value in os.environ.items() if key not in drop}
    ports = [free_port() for _ in range(count)]
    servers = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:mooc_platform.gunicorn_conf",
         "mooc_platform.wsgi:application"],
        cwd=ROOT, env=base | {
            "DJANGO_SETTINGS_MODULE": "mooc_platform.settings.test", "DATABASE_URL": database_url_of_tests(),
            "HOST": "127.0.0.1", "PORT": str(port), "WEB_WORKERS": "1", "WEB_THREADS": "1", "WEB_RELOAD": "false",
            # No worker timeout: under `make test-future` libfaketime moves time.time() but not the mtime
            # of the heartbeat file gunicorn's arbiter compares it with, and it would kill its worker.
            "WEB_TIMEOUT": "0", "WEB_LOG_LEVEL": "warning", **(env or {})}) for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            port_wait(port, server, "gunicorn")
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
