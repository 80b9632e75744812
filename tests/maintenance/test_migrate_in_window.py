"""`migrate_in_window`: migrations run inside a window (SPEC R18), refused outside unless forced, with
a result per schema, the template schema included."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from maintenance.migration import schemas_to_migrate, template_schema_present, windows_in_force_all_tenants
from tenants.models import AuditEvent
from tests.factories import MaintenanceWindowFactory
from tests.maintenance.helpers import MARCH_SAT_NOON

pytestmark = pytest.mark.slow  # migrates schemas, some in worker processes: `make test-fast` leaves it out


def _run(*args: str) -> str:
    out = StringIO()
    call_command("migrate_in_window", *args, stdout=out)
    return out.getvalue()


def test_refused_outside_a_window(db, clock) -> None:
    clock(MARCH_SAT_NOON)
    with pytest.raises(CommandError, match="No maintenance window is in force"):
        _run("--parallel", "1")


def test_runs_inside_a_window_for_all_tenants_and_reports_each_schema(demo, acme, clock) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    clock(MARCH_SAT_NOON + timedelta(minutes=5))
    output = _run("--parallel", "1")
    lines = {line.split()[0]: line for line in output.splitlines() if " applied=" in line}
    assert list(lines)[:1] == ["public"]
    assert {"public", demo.schema_name, acme.schema_name} <= set(lines)
    assert all(" ok " in line for line in lines.values()), output
    assert f"Windows in force: #{window.id} all" in output
    assert f"{len(lines)} schema(s): {len(lines)} ok, 0 failed." in output
    event = AuditEvent.objects.get(action="maintenance.migrations_run")
    assert event.after["window_ids"] == [window.id] and event.after["failed"] == []


def test_forced_run_outside_a_window(demo, clock) -> None:
    clock(MARCH_SAT_NOON - timedelta(days=10))
    output = _run("--force", "--parallel", "1")
    assert "forced run over every schema" in output and f"{demo.schema_name} " in output


def test_window_for_chosen_tenants_migrates_only_their_schemas(demo, acme, clock) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    clock(MARCH_SAT_NOON + timedelta(minutes=5))
    sequential, parallel = schemas_to_migrate(windows=windows_in_force_all_tenants(now=MARCH_SAT_NOON))
    assert sequential == [] and parallel == [demo.schema_name]


def test_template_schema_is_found_and_migrated_first_among_tenants(demo, settings) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS template_tenant")
    settings.TENANT_BASE_SCHEMA = "template_tenant"
    assert template_schema_present() == "template_tenant"
    sequential, parallel = schemas_to_migrate(windows=None)
    assert sequential == ["public"] and parallel[0] == "template_tenant" and demo.schema_name in parallel


def test_the_template_is_the_configured_schema_only_and_only_once_it_exists(demo, settings) -> None:
    """One template name for provisioning and migrations: TENANT_BASE_SCHEMA (tenants.migration); a
    schema merely named like a template is not taken for it."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS template_lookalike")
    settings.TENANT_BASE_SCHEMA = "template_not_created_yet"
    assert template_schema_present() is None
    _sequential, parallel = schemas_to_migrate(windows=None)
    assert "template_lookalike" not in parallel and "template_not_created_yet" not in parallel


def test_a_failing_schema_is_reported_and_the_command_fails(demo, clock, monkeypatch) -> None:
    from tenants import migration

    with connection.cursor() as cursor:  # demo has something to apply: its last courses migration
        cursor.execute(f'DELETE FROM "{demo.schema_name}".django_migrations WHERE app = %s AND name = %s',
                       list(_courses_leaf()))

    def flaky(schema_name: str, fake: bool = False, verbosity: int = 1):  # type: ignore[no-untyped-def]
        assert schema_name == demo.schema_name  # the only schema with anything to apply
        return migration.SchemaResult(schema_name, False, 0, 0.0, error="ProgrammingError: boom")

    monkeypatch.setattr(migration, "schema_apply", flaky)
    MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    clock(MARCH_SAT_NOON + timedelta(minutes=5))
    out = StringIO()
    with pytest.raises(CommandError, match=f"1 schema\\(s\\) failed: {demo.schema_name}"):
        call_command("migrate_in_window", "--parallel", "1", stdout=out)
    assert "FAILED" in out.getvalue() and "ProgrammingError: boom" in out.getvalue()


def test_only_schemas_with_something_to_apply_are_migrated(demo, acme, clock) -> None:
    """The same one-query path as migrate_schemas (issue 16 item 1): acme, migrated one courses
    migration back (through the stock executor: a target migration), gets it applied again for real;
    the others are reported up to date without being touched."""
    from django.db.migrations.loader import MigrationLoader

    app, name = _courses_leaf()
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    parent = next(p.key for p in graph.node_map[(app, name)].parents if p.key[0] == app)
    call_command("migrate_schemas", app, parent[1], schema_name=acme.schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{acme.schema_name}".django_migrations WHERE app = %s AND name = %s',
                       [app, name])
        assert cursor.fetchone()[0] == 0
    MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    clock(MARCH_SAT_NOON + timedelta(minutes=5))
    from maintenance.migration import schemas_migrate

    results = {r.schema_name: r for r in schemas_migrate(sequential=["public"],
                                                         parallel=[demo.schema_name, acme.schema_name],
                                                         processes=1)}
    assert (results[demo.schema_name].applied, results[demo.schema_name].output) == (0, "up to date")
    assert results["public"].applied == 0
    assert results[acme.schema_name].ok, results[acme.schema_name].error
    assert results[acme.schema_name].applied == 1
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{acme.schema_name}".django_migrations WHERE app = %s AND name = %s',
                       [app, name])
        assert cursor.fetchone()[0] == 1


def _courses_leaf() -> tuple[str, str]:
    from django.db.migrations.loader import MigrationLoader

    return next(node for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
                if node[0] == "courses")


def test_parallel_run_migrates_tenant_schemas_in_worker_processes(transactional_db, monkeypatch) -> None:
    """Two schemas one migration behind, one worker process each (spawned: they see committed rows
    only, so this test commits); every schema reported, the two migrated for real."""
    from django.db.migrations.loader import MigrationLoader

    from tenants import migration
    from tenants.models import Tenant

    monkeypatch.setattr(migration, "SCHEMAS_PER_WORKER", 1)
    app, name = _courses_leaf()
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    parent = next(p.key for p in graph.node_map[(app, name)].parents if p.key[0] == app)
    for schema in ("t_demo", "t_acme"):
        call_command("migrate_schemas", app, parent[1], schema_name=schema, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    output = StringIO()
    call_command("migrate_in_window", "--force", "--parallel", "2", stdout=output)
    text = output.getvalue()
    lines = {line.split()[0]: line for line in text.splitlines() if " applied=" in line}
    assert {"public", "t_demo", "t_acme"} <= set(lines)
    assert set(Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True)) <= set(lines)
    assert "applied=1 " in lines["t_demo"] and "applied=1 " in lines["t_acme"], text
    assert "applied=0 " in lines["public"]
    assert ", 0 failed." in text
    assert migration.schemas_status(schema_names=["t_demo", "t_acme"]).pending == []
