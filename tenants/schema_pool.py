"""A pool of tenant schemas cloned ahead of time, renamed when a tenant is provisioned (issue 16).

On one PostgreSQL a clone of the template is one round trip (`clone.py`, ~0.1 s); on Citus it is ~150
distributed DDL commands (~0.7 s), each a round trip to a worker. A schema cloned in advance, already
distributed and placed on a worker, becomes a tenant's with one `ALTER SCHEMA … RENAME` (~25 ms on
Citus). `TENANT_SCHEMA_POOL_SIZE` schemas are kept ready (0, the default on one PostgreSQL, switches the
pool off); the Celery task `tenants.schema_pool_refill` tops it up after each provisioning and every few
minutes (beat).

A pool schema is named `tpool_<tag>_<random>`, where the tag is a digest of the template's migration
history: after a migration of the template, older pool schemas no longer match, are never handed out,
and the next refill drops them. Pool schemas have no Tenant row, so nothing routes to them and
`migrate_schemas` ignores them.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from .clone import schema_clone
from .migration import template_schema_name

PREFIX = "tpool_"


def _pool_tag(cursor) -> str:  # type: ignore[no-untyped-def]
    cursor.execute(
        f'SELECT substr(md5(coalesce(string_agg(app || \'.\' || name, \',\' ORDER BY app, name), \'\')), 1, 10) '  # noqa: S608 - the template's name comes from settings
        f'FROM "{template_schema_name()}".django_migrations'
    )
    return cursor.fetchone()[0]


def pool_size_target() -> int:
    return max(0, int(getattr(settings, "TENANT_SCHEMA_POOL_SIZE", 0)))


def _pool_schemas(cursor, *, tag: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    pattern = (PREFIX + (tag + "_" if tag else "")).replace("_", r"\_") + "%"
    cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname", [pattern])
    return [row[0] for row in cursor.fetchall()]


def pool_schemas_ready() -> list[str]:
    """The pool schemas matching the template's current migration history."""
    with connection.cursor() as cursor:
        return _pool_schemas(cursor, tag=_pool_tag(cursor))


def pool_schema_claim(*, target: str) -> bool:
    """Rename a ready pool schema to `target`, in the current transaction; False (nothing done) when
    the pool is off or empty. Concurrent claims never take the same schema (an advisory lock per pool
    schema, held until the transaction ends)."""
    if pool_size_target() == 0 or not connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        for name in _pool_schemas(cursor, tag=_pool_tag(cursor)):
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s)) AND to_regnamespace(%s) IS NOT NULL",
                           [name, name])
            if not cursor.fetchone()[0]:
                continue  # claimed by a provisioning in flight, or just renamed by one that committed
            try:
                with transaction.atomic():
                    cursor.execute(f'ALTER SCHEMA "{name}" RENAME TO "{target}"')
            except DatabaseError:
                continue
            return True
    return False


def pool_refill(*, size: int | None = None) -> dict[str, int]:
    """Drop stale pool schemas and clone new ones until `size` (default TENANT_SCHEMA_POOL_SIZE) are
    ready, each in its own transaction. Returns {"created": n, "dropped": m}."""
    size = pool_size_target() if size is None else size
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        # One refill at a time (two workers would overfill the pool); a refill already running is enough.
        cursor.execute("SELECT pg_try_advisory_lock(hashtext('tenants.schema_pool_refill'))")
        if not cursor.fetchone()[0]:
            return {"created": 0, "dropped": 0}
        try:
            return _refill(cursor, size=size)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('tenants.schema_pool_refill'))")


def _refill(cursor, *, size: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    created = dropped = 0
    tag = _pool_tag(cursor)
    for name in _pool_schemas(cursor):
        if not name.startswith(f"{PREFIX}{tag}_"):
            with transaction.atomic():
                cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [name])
                if cursor.fetchone()[0]:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
                    dropped += 1
    ready = len(_pool_schemas(cursor, tag=tag))
    for _ in range(max(0, size - ready)):
        with transaction.atomic():
            schema_clone(source=template_schema_name(), target=f"{PREFIX}{tag}_{secrets.token_hex(4)}")
        created += 1
    return {"created": created, "dropped": dropped}
