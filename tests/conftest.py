"""Shared fixtures.

The test database is built once (`--reuse-db`) with the platform tenant and the demo tenants `demo`
and `acme` (SPEC §4 demo data, password `DEMO_PASSWORD`); tests never rebuild a schema. Each test
runs in a transaction rolled back at its end (the `db` fixture), across public and tenant schemas.

Tests that need committed data (a live server, a Celery worker) use `transactional_db`: pytest-django
then truncates the *public* tables at the end, and `_demo_tenants_restored` puts the tenant rows back.
Their tenant-schema rows are not truncated, so such tests use unique e-mails and slugs.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from mooc_platform.demo import demo_data_ensure
from tenants.models import Domain, Tenant
from tenants.routing import tenant_cache_clear

# Old home of these helpers: tests import them from tests.helpers now (a conftest is not a library).
from tests.helpers import api_client, api_token, celery_worker_wake, host_of

__all__ = ["api_client", "api_token", "host_of"]

# Playwright's sync API keeps an event loop running in the main thread; Django would then refuse ORM
# calls made by the tests themselves (they are synchronous, so this is safe here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
_demo_rows: dict[str, dict[str, Any]] = {}

# A hung run can be asked where it is: `kill -USR1 <pytest pid>` prints every thread's stack to stderr.
faulthandler.register(signal.SIGUSR1, all_threads=True)
# tests/citus/ needs the Citus cluster `make test-citus` starts (it sets MOOC_CITUS=1): the other runs leave it out.
collect_ignore = [] if os.environ.get("MOOC_CITUS") else ["citus"]

# A test is marked by the fixtures it uses, so a new browser or worker test needs no marker of its own.
_MARKER_BY_FIXTURE = {"page": "browser", "browser": "browser", "celery_worker_session": "worker"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `browser` and `worker` tests from their fixtures (`make test-fast` leaves them out)."""
    for item in items:
        for marker in {_MARKER_BY_FIXTURE[f] for f in getattr(item, "fixturenames", ()) if f in _MARKER_BY_FIXTURE}:
            item.add_marker(marker)


_DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def _uses_db(item: pytest.Item) -> bool:
    """Whether the test reaches the database (pytest-django's marker, or a fixture that needs it)."""
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(_DB_FIXTURES & fixtures)


@pytest.fixture(scope="session")
def django_db_setup(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> None:
    """The demo data in the test database. pytest-django makes no test database when no selected test uses
    one (a linter run alone): nothing to seed then."""
    if not any(_uses_db(item) for item in request.session.items):
        return
    with django_db_blocker.unblock():
        tenants = demo_data_ensure()
        for slug, tenant in tenants.items():
            _demo_rows[slug] = {
                "tenant": {f.attname: getattr(tenant, f.attname) for f in Tenant._meta.concrete_fields},
                "domains": [{f.attname: getattr(d, f.attname) for f in Domain._meta.concrete_fields}
                            for d in Domain.objects.filter(tenant=tenant)],
            }
        connection.set_schema_to_public()


@pytest.fixture
def transactional_db(transactional_db: None) -> Iterator[None]:
    """pytest-django's `transactional_db`, with the connection back on the public schema before its flush.

    A test-client request to a tenant host leaves the connection on that tenant's schema (django-tenants'
    middleware does not reset it); the flush would then empty the tenant's tables, and a later test that
    logs in as a demo user would fail depending on the order the tests run in.

    Background work the test started (the Celery worker thread, a live server) may still be inside a
    transaction: the flush's TRUNCATE would then deadlock with it, so wait (bounded) until it is done."""
    yield
    connection.set_schema_to_public()
    _other_sessions_settle(seconds=10)


def _other_sessions_settle(*, seconds: float) -> None:
    """Wait until no other session on the test database is running a statement or holds a transaction."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                "AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


@pytest.fixture(autouse=True)
def _english_until_told_otherwise() -> Iterator[None]:
    """Every test starts in the default language: a page a test client requested activates the language of
    its reader in this thread (LocaleMiddleware, TenantLanguageMiddleware), and translated messages must not
    depend on which test ran before."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _demo_tenants_restored(request: pytest.FixtureRequest, django_db_setup: None,
                           django_db_blocker: Any) -> Iterator[None]:
    """After a transactional test flushed the public tables, recreate the platform and demo rows.
    Also starts every test with empty caches (login counters and throttles live in the `shared` one: a
    table of the test database, mooc_platform.cache). A test that uses no database (a linter run, a pure
    function) gets the in-process cache emptied only."""
    cache.clear()
    if not _uses_db(request.node):
        yield
        return
    with django_db_blocker.unblock():
        caches["shared"].clear()
    tenant_cache_clear()
    yield
    connection.set_schema_to_public()
    tenant_cache_clear()
    if "transactional_db" in request.fixturenames and _demo_rows:
        with django_db_blocker.unblock():
            _demo_rows_restore()


def _demo_rows_restore() -> None:
    from tenants.services import platform_tenant_ensure

    with transaction.atomic():
        for rows in _demo_rows.values():
            Tenant.objects.update_or_create(id=rows["tenant"]["id"], defaults=rows["tenant"])
            for domain in rows["domains"]:
                Domain.objects.update_or_create(id=domain["id"], defaults=domain)
        platform_tenant_ensure()


@pytest.fixture
def demo(db: None) -> Tenant:
    return Tenant.objects.get(slug="demo")


@pytest.fixture
def acme(db: None) -> Tenant:
    return Tenant.objects.get(slug="acme")


@pytest.fixture
def in_demo(demo: Tenant) -> Iterator[Tenant]:
    """Run the test body inside the demo tenant's schema."""
    with schema_context(demo.schema_name):
        yield demo


@pytest.fixture
def demo_client(demo: Tenant) -> Client:
    return Client(HTTP_HOST=host_of(demo))


@pytest.fixture
def platform_client(db: None) -> Client:
    return Client(HTTP_HOST="localhost")


# --- Live server and browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def _live_server(django_db_setup: None) -> Iterator[int]:
    """The project's WSGI app on 127.0.0.1 in a thread; browsers reach it as <slug>.localhost:<port>."""
    from django.core.servers.basehttp import (
        ThreadedWSGIServer,
        WSGIRequestHandler,
        get_internal_wsgi_application,
    )

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    server.set_app(StaticFilesHandler(get_internal_wsgi_application()))  # the app's CSS too, as `make run` serves it
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def live_server_port(_live_server: int, transactional_db: None) -> int:
    """The live server's port. Its threads see committed data only, hence `transactional_db`."""
    return _live_server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(30_000)  # generous: a loaded 2-core machine renders slowly
    yield context.new_page()
    context.close()


# --- Celery -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def celery_worker_session() -> Iterator[Any]:
    """A real Celery worker (celery.contrib.testing) consuming from the configured broker."""
    from celery.contrib.testing.worker import start_worker

    from mooc_platform.celery import app

    # Tasks queued by earlier tests' commits (live-server tests) are not this session worker's to run: a
    # backlog would make the first worker test wait on it, and stopping the worker time out.
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        # Under `make test-future` (libfaketime) a timed wait on a lock never times out: the kernel gets a
        # deadline on the moved clock. The worker's timer thread waits 1 s on a condition whenever its
        # schedule is empty, and stopping the worker then hangs for ever; an entry always scheduled makes
        # it sleep instead (time.sleep is moved correctly), so it sees the stop within 0.5 s.
        worker.timer.call_repeatedly(0.5, _timer_keeps_ticking)
        yield worker
        # On the way out: the backlog queued after the last worker test is not run either, and a ping wakes the
        # thread in case a test that moved the clock left it waiting for a timeout that never comes.
        app.control.purge()
        celery_worker_wake()


def _timer_keeps_ticking() -> None:
    """The Celery worker timer's permanent entry (see celery_worker_session)."""
