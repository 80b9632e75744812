"""The rules that keep the platform movable to Citus (issue 16, infra/SCALING.md), checked on the real
migrations and the real, migrated template schema on every `make test` (no cluster needed):

- every tenant migration's SQL is one statement per `RunSQL` item (Citus propagates DDL one command at a time);
- tenant tables carry no triggers (Citus refuses them on distributed tables), no foreign key out of their
  schema (a distributed schema can only reference itself), and a primary key each (a schema moves between
  workers by logical replication, which needs one);
- the clone script is one command per statement, one `ALTER TABLE` per constraint, and the statement-by-
  statement path builds exactly the template's structure."""

from __future__ import annotations

import sqlparse
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunSQL

from tenants import clone, migration
from tenants.citus import citus_enabled, schema_nodes, worker_nodes
from tests.tenants.provisioning.test_provisioning import _structure


def _tenant_app_labels() -> set[str]:
    """The apps whose migrations run in every tenant schema."""
    return {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}


def _sql_items(sql: object) -> list[str]:
    if sql == RunSQL.noop or sql is None:
        return []
    if isinstance(sql, str):
        return [sql]
    return [item[0] if isinstance(item, (list, tuple)) else item for item in sql]  # type: ignore[union-attr]


def test_every_tenant_migration_runs_one_sql_statement_per_runsql_item() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    labels = _tenant_app_labels()
    offenders, seen = [], 0
    for (app_label, name), mig in loader.disk_migrations.items():
        if app_label not in labels:
            continue
        for operation in mig.operations:
            if not isinstance(operation, RunSQL):
                continue
            for item in _sql_items(operation.sql) + _sql_items(operation.reverse_sql):
                seen += 1
                statements = [s for s in sqlparse.split(item) if s.strip().strip(";").strip()]
                if len(statements) != 1:
                    offenders.append(f"{app_label}.{name}: {len(statements)} statements in {item[:80]!r}")
    assert offenders == []
    assert "courses" in labels and "accounts" in labels  # the check looked at the real tenant apps


def test_runsql_rule_catches_a_two_statement_item() -> None:
    """The splitter the rule relies on sees two commands where there are two (not a vacuous check)."""
    item = "CREATE INDEX a ON t (x); CREATE INDEX b ON t (y)"
    assert len([s for s in sqlparse.split(item) if s.strip().strip(";").strip()]) == 2


def _template_catalogue(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [migration.template_schema_name()])
        return cursor.fetchall()


def test_tenant_tables_have_no_trigger_no_foreign_key_out_of_the_schema_and_a_primary_key(db) -> None:
    tables = _template_catalogue(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'r'")
    assert len(tables) > 20
    triggers = _template_catalogue(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal")
    assert triggers == []
    outward = _template_catalogue(
        "SELECT c.relname, co.conname, fn.nspname FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class f ON f.oid = co.confrelid "
        "JOIN pg_namespace fn ON fn.oid = f.relnamespace WHERE n.nspname = %s AND co.contype = 'f' "
        "AND fn.oid <> n.oid")
    assert outward == []
    without_key = _template_catalogue(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
        "AND c.relkind = 'r' AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conrelid = c.oid "
        "AND co.contype = 'p')")
    assert without_key == []


def test_clone_script_is_one_command_per_statement_and_one_constraint_per_alter_table(db) -> None:
    statements = clone.clone_statements(source=migration.template_schema_name())
    assert len(statements) > 100
    for statement in statements:
        assert len(sqlparse.split(statement)) == 1, statement
        assert ";" not in statement, statement
        if statement.startswith("ALTER TABLE"):
            assert statement.count(" ADD CONSTRAINT ") == 1, statement
    kinds = {statement.split(" ")[0] for statement in statements}
    assert kinds == {"CREATE", "INSERT", "SELECT", "ALTER"}


def test_statement_by_statement_clone_builds_exactly_the_template(db, monkeypatch) -> None:
    """The Citus path (one command per round trip), run here on one PostgreSQL: same structure, same
    migration history as the template, as the one-round-trip path."""
    monkeypatch.setattr(clone, "citus_enabled", lambda: True)
    executed: list[str] = []
    real_cursor = connection.cursor

    def counting_cursor():  # type: ignore[no-untyped-def]
        cursor = real_cursor()
        original = cursor.execute

        def execute(sql, params=None):  # type: ignore[no-untyped-def]
            executed.append(sql)
            return original(sql, params)

        cursor.execute = execute
        return cursor

    monkeypatch.setattr(connection, "cursor", counting_cursor)
    clone.schema_clone(source=migration.template_schema_name(), target="t_statement_by_statement")
    monkeypatch.undo()
    assert _structure("t_statement_by_statement") == _structure(migration.template_schema_name())
    ddl = [sql for sql in executed if '"t_statement_by_statement"' in sql]
    assert len(ddl) == len(clone.clone_statements(source=migration.template_schema_name()))


def test_schema_nodes_name_the_worker_of_each_tenant_on_citus_and_none_on_one_postgresql(db) -> None:
    """Runs in both suites: `make test` (one PostgreSQL) and `make test-citus` (the cluster)."""
    nodes = schema_nodes(schema_names=["t_demo", "t_acme", "no_such_schema"])
    assert nodes["no_such_schema"] is None
    if citus_enabled():
        assert len(worker_nodes()) >= 2
        assert nodes["t_demo"] in worker_nodes() and nodes["t_acme"] in worker_nodes()
    else:
        assert worker_nodes() == []
        assert nodes == {"t_demo": None, "t_acme": None, "no_such_schema": None}


def test_on_citus_a_column_added_with_a_check_or_unique_names_its_constraints(db, monkeypatch) -> None:
    """Citus refuses unnamed constraints in `ADD COLUMN`; the project's schema editor names them as
    PostgreSQL would (mooc_platform/postgresql_backend/schema.py). On one PostgreSQL, Django's SQL as is."""
    from django.db import models

    from mooc_platform.accounts.models import User
    from mooc_platform.postgresql_backend import schema

    epoch = models.PositiveIntegerField(default=0)
    epoch.set_attributes_from_name("probe_epoch")
    code = models.CharField(max_length=10, unique=True, null=True)
    code.set_attributes_from_name("probe_code")

    def sql_of(citus: bool) -> str:
        monkeypatch.setattr(schema, "_citus", lambda connection: citus)
        with connection.schema_editor(collect_sql=True) as editor:
            editor.add_field(User, epoch)
            editor.add_field(User, code)
        return "\n".join(editor.collected_sql)

    citus_sql = sql_of(True)
    assert 'ADD COLUMN "probe_epoch" integer DEFAULT 0 NOT NULL CONSTRAINT "accounts_user_probe_epoch_check" ' \
           'CHECK ("probe_epoch" >= 0)' in citus_sql
    assert 'ADD COLUMN "probe_code" varchar(10) NULL CONSTRAINT "accounts_user_probe_code_key" UNIQUE' in citus_sql
    plain_sql = sql_of(False)
    assert "CONSTRAINT" not in plain_sql and 'NOT NULL CHECK ("probe_epoch" >= 0)' in plain_sql
