"""Warm database connections before a web worker takes requests (issue 16 item 3).

PostgreSQL keeps per-connection catalogue caches: the first query a connection makes on a schema's
tables loads their definitions, and a connection that touches 1,000 tenant schemas holds 73–110 MB
of them (measured, issue 16). A request that lands on a connection cold for its tenant pays that
load. `connections_warm` runs, on every request thread's own connection, one cheap query per hot
table of each tenant schema (`settings.WARMUP_MODELS`), so the first requests find them warm.
Connections live `DB_CONN_MAX_AGE` seconds: set it long (the default is an hour) or the warm-up is
lost when they are replaced. The memory it costs is the trade-off documented in the README."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Executor

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def schemas_warm(*, schema_names: list[str]) -> int:
    """On this thread's connection: one `EXISTS` per hot table in each schema. Returns the queries run."""
    models = [apps.get_model(label) for label in settings.WARMUP_MODELS]
    tables = [model._meta.db_table for model in models]
    queries = 0
    with connection.cursor() as cursor:
        for schema in schema_names:
            quoted = connection.ops.quote_name(schema)
            # One round trip per schema: the statements plan (and load) every table and its indexes.
            cursor.execute(";".join(f"SELECT 1 FROM {quoted}.{connection.ops.quote_name(t)} LIMIT 1"  # noqa: S608
                                    for t in tables))
            queries += len(tables)
    return queries


def connections_warm(*, tenants: int, threads: int = 1, pool: Executor | None = None) -> None:
    """Warm up to `tenants` tenant schemas on the connection of each of `threads` request threads of
    `pool` (each thread takes exactly one warm-up: they wait for each other at a barrier), or on this
    thread's connection without a pool."""
    schemas = import_string(settings.TENANT_SCHEMAS_READER)()[:tenants]
    started = time.monotonic()
    # This process's host cache too (with a shared cache, every process's): no domain read on a first request.
    import_string(settings.TENANT_HOST_CACHE_FILLER)(schema_names=schemas)
    if pool is None:
        schemas_warm(schema_names=schemas)
        connection.set_schema_to_public()
    else:
        barrier = threading.Barrier(threads)

        def one() -> None:
            barrier.wait(timeout=60)
            try:
                schemas_warm(schema_names=schemas)
            finally:
                connection.set_schema_to_public()

        for future in [pool.submit(one) for _ in range(threads)]:
            future.result()
    log.info("warmed %d tenant schemas on %d connection(s) in %.1f s", len(schemas), threads,
             time.monotonic() - started)
