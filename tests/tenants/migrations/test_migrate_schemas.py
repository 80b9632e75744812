"""`migrate_schemas` over every schema (issue 16 item 1): one query decides which schemas have
anything to apply; the others are not touched; a purged tenant (its row kept, its schema dropped) is
skipped, never a crash."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_exists

from tenants import migration
from tenants.models import Tenant
from tenants.services import tenant_purge, tenant_terminate

pytestmark = pytest.mark.slow  # migrates schemas: `make test-fast` leaves it out

PAID_THROUGH = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


def _purged(make_tenant) -> Tenant:  # type: ignore[no-untyped-def]
    tenant = make_tenant()
    with time_machine.travel(PAID_THROUGH, tick=False):
        tenant_terminate(tenant=tenant, reason="offence")
    with time_machine.travel(tenant.retention_ends_at + timedelta(hours=1), tick=False):
        tenant_purge(tenant=tenant)
    tenant.refresh_from_db()
    assert tenant.state == Tenant.State.PURGED and not schema_exists(tenant.schema_name)
    return tenant


def _migrate(*args: str) -> str:
    out = StringIO()
    call_command("migrate_schemas", *args, stdout=out, stderr=out)
    connection.set_schema_to_public()
    return out.getvalue()


def test_migrate_schemas_skips_a_purged_tenant(make_tenant, demo) -> None:
    purged = _purged(make_tenant)
    output = _migrate("--executor=standard")
    assert f"{purged.schema_name}: no schema (purged), skipped" in output
    assert not schema_exists(purged.schema_name)


def test_migrate_schemas_multiprocessing_skips_a_purged_tenant(make_tenant, demo) -> None:
    purged = _purged(make_tenant)
    output = _migrate("--executor=multiprocessing")
    assert f"{purged.schema_name}: no schema (purged), skipped" in output


def _expected() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def test_one_query_finds_the_schemas_with_something_to_apply(demo, acme) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{acme.schema_name}".django_migrations WHERE app = %s AND name = %s',
                       ["courses", "0001_initial"])
        cursor.execute('CREATE SCHEMA "bare_schema"')
    status = migration.schemas_status(schema_names=["public", demo.schema_name, acme.schema_name, "bare_schema",
                                                    "never_created"])
    assert status.pending == [acme.schema_name, "bare_schema"]
    assert status.up_to_date == ["public", demo.schema_name]
    assert status.missing == ["never_created"]


def test_a_schema_with_a_pending_migration_is_migrated_and_only_it(demo, acme) -> None:
    """The last courses migration removed from acme's record is applied again there (faked: its
    columns exist), the demo schema is not touched."""
    leaf = next(node for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
                if node[0] == "courses")
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{acme.schema_name}".django_migrations WHERE app = %s AND name = %s', list(leaf))
        cursor.execute(f'SELECT max(id) FROM "{demo.schema_name}".django_migrations')
        demo_last = cursor.fetchone()[0]
    pending = migration.schemas_status(schema_names=[demo.schema_name, acme.schema_name]).pending
    assert pending == [acme.schema_name]
    results = migration.schemas_apply(schema_names=pending, processes=1, fake=True)
    assert [(r.schema_name, r.ok, r.applied) for r in results] == [(acme.schema_name, True, 1)]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{acme.schema_name}".django_migrations')
        assert _expected() <= set(cursor.fetchall())
        cursor.execute(f'SELECT max(id) FROM "{demo.schema_name}".django_migrations')
        assert cursor.fetchone()[0] == demo_last


def test_an_up_to_date_schema_is_left_alone_by_schemas_apply(demo) -> None:
    assert [(r.ok, r.applied) for r in migration.schemas_apply(schema_names=[demo.schema_name])] == [(True, 0)]


@pytest.mark.parametrize("replayed_as_sql", [True, False])
def test_a_migration_undone_on_two_schemas_is_applied_again_to_both(demo, acme, monkeypatch, replayed_as_sql) -> None:
    """Both ways of applying a plan: its SQL collected once and replayed in each schema, or Django's
    executor on a state rendered once (any operation outside SQL_ONLY_OPERATIONS)."""
    from tenants import migration_worker

    if not replayed_as_sql:
        monkeypatch.setattr(migration_worker, "SQL_ONLY_OPERATIONS", ())
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    leaf = next(node for node in graph.leaf_nodes() if node[0] == "courses")
    parent = next(p.key for p in graph.node_map[leaf].parents if p.key[0] == "courses")
    added, removed = set(), set()
    before = MigrationLoader(None, ignore_no_migrations=True).project_state(parent).apps
    for op in graph.nodes[leaf].operations:
        if type(op).__name__ == "AddField":  # the column's name: `category_id` for a foreign key `category`
            field = op.field.clone()
            field.set_attributes_from_name(op.name)
            added.add((f"courses_{op.model_name}", field.column))  # (table, column): names recur across tables
        elif type(op).__name__ == "RemoveField":
            column = before.get_model("courses", op.model_name)._meta.get_field(op.name).column
            removed.add((f"courses_{op.model_name}", column))
    assert added or removed, "the test needs the last courses migration to add or remove a field"

    def columns(schema: str) -> set[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s",
                           [schema])
            return {(row[0], row[1]) for row in cursor.fetchall()}

    for tenant in (demo, acme):
        call_command("migrate_schemas", "courses", parent[1], schema_name=tenant.schema_name, interactive=False,
                     verbosity=0)
        connection.set_schema_to_public()
        assert not added & columns(tenant.schema_name) and removed <= columns(tenant.schema_name)
    output = _migrate("--executor=standard")
    assert f"[standard:{demo.schema_name}] ok: 1 migration(s) applied" in output
    assert f"[standard:{acme.schema_name}] ok: 1 migration(s) applied" in output
    for tenant in (demo, acme):
        assert added <= columns(tenant.schema_name) and not removed & columns(tenant.schema_name)
    assert migration.schemas_status(schema_names=[demo.schema_name, acme.schema_name]).pending == []
