"""Migrating one schema, in this process or in a spawned worker (issue 16 item 1). No Django import at
module level: a spawned worker unpickles these functions before Django is set up (`worker_init`).

Where the stock per-schema `migrate` spends its time at 1,000 tenants (profiled, issue 16): four
`django_migrations` existence checks that each scan the whole catalogue (66 ms at 1,000 schemas), the
system checks (21 %), rendering every model's state (26 %) and the content types and permissions of the
`post_migrate` signal (23 %). `schema_apply` keeps Django's own `MigrationExecutor` (so each migration
runs and is recorded exactly as `migrate` would) but:

- the existence check is one `to_regclass` on the schema's own table (0.06 ms);
- no system checks per schema (`migrate_schemas` ran them once);
- the project state before the plan is rendered once per process for each set of applied migrations
  and cloned for every schema that shares it (1,000 schemas one field behind share one);
- `pre_migrate`/`post_migrate` (content types, permissions: the only receivers, Django's contrib apps)
  are sent only when the plan can change them (a model created, deleted, renamed or its options
  changed) or the schema is new; then the schema goes through Django's whole `migrate` command;
- a plan made only of operations whose SQL needs nothing from the database (`SQL_ONLY_OPERATIONS`:
  adding a field, an index, a constraint, raw SQL), in atomic migrations, is turned into SQL once
  (Django's own `collect_sql`, what `sqlmigrate` prints) and that SQL is replayed in every schema at
  the same point, with its records, in one transaction: the schemas are clones, the SQL names no
  schema (the `search_path` picks it), and the generated names (indexes, constraints) are the same.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Operations that change the set of models or their permissions: with one of them in the plan the
# content types and permissions must follow, so the schema is migrated by Django's whole command.
MODEL_SET_OPERATIONS = ("CreateModel", "DeleteModel", "RenameModel", "AlterModelOptions")
# Operations whose SQL Django writes without asking the database anything (no introspection of
# constraint names, no RunPython): their collected SQL is valid in every schema at the same point.
SQL_ONLY_OPERATIONS = ("AddField", "AddIndex", "RemoveIndex", "AddConstraint", "RemoveConstraint", "RunSQL")


@dataclass(frozen=True)
class SchemaResult:
    schema_name: str
    ok: bool
    applied: int
    seconds: float
    error: str = ""
    output: str = ""


def worker_init(settings_module: str, database: dict) -> None:
    """Start Django in a spawned worker, on the very database of the parent (a test database too)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    settings.DATABASES["default"].update(database)
    connections["default"].settings_dict.update(database)


# Per run of `schemas_apply` (cleared at its start, and new in every spawned worker): the migrations
# on disk, the rendered project state before a plan per set of applied migrations, the SQL of a plan.
_CACHE: dict[str, Any] = {}


def caches_clear() -> None:
    _CACHE.clear()


def _disk_graph() -> Any:
    if "graph" not in _CACHE:
        from django.db.migrations.loader import MigrationLoader

        graph = MigrationLoader(None, ignore_no_migrations=True).graph
        _CACHE["graph"] = graph
        _CACHE["full_plan"] = [key for leaf in graph.leaf_nodes() for key in graph.forwards_plan(leaf)]
        _CACHE["full_plan"] = list(dict.fromkeys(_CACHE["full_plan"]))
    return _CACHE["graph"]


@contextlib.contextmanager
def _fast_table_check() -> Iterator[None]:
    """Django's recorder asks whether `django_migrations` exists through the introspection's table
    list, a scan of the whole catalogue (every table of every schema); ask PostgreSQL for the one
    table of the connection's schema instead. Restored on exit."""
    from django.db.migrations.recorder import MigrationRecorder

    stock = MigrationRecorder.has_table

    def has_table(self: MigrationRecorder) -> bool:
        if self._has_table:
            return True
        schema = getattr(self.connection, "schema_name", None) or "public"
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL",
                           [f"{self.connection.ops.quote_name(schema)}.django_migrations"])
            self._has_table = bool(cursor.fetchone()[0])
        return self._has_table

    MigrationRecorder.has_table = has_table  # type: ignore[method-assign]
    try:
        yield
    finally:
        MigrationRecorder.has_table = stock  # type: ignore[method-assign]


def _plan_needs_signals(plan: list) -> bool:
    return any(type(operation).__name__ in MODEL_SET_OPERATIONS
               for migration, _backwards in plan for operation in migration.operations)


def _stock_migrate(schema_name: str, *, fake: bool, verbosity: int) -> None:
    """Django's whole `migrate` on the schema through django-tenants (signals included), no checks."""
    from django_tenants.migration_executors.base import run_migrations
    from django_tenants.utils import get_tenant_base_migrate_command_class

    command = get_tenant_base_migrate_command_class()()
    parser = command.create_parser("manage.py", "migrate")
    options = vars(parser.parse_args(["--noinput", f"--verbosity={verbosity}", *(["--fake"] if fake else [])]))
    options["skip_checks"] = True
    run_migrations((), options, "schema_apply", schema_name, allow_atomic=True)


def _applied(schema_name: str) -> set[tuple[str, str]] | None:
    """The schema's recorded migrations, None without a `django_migrations` table."""
    from django.db import connection

    table = f"{connection.ops.quote_name(schema_name)}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT app, name FROM {table}")  # noqa: S608 - quoted identifier
        return set(cursor.fetchall())


def _sql_only(migrations: list) -> bool:
    return all(migration.atomic and not migration.replaces
               and all(type(op).__name__ in SQL_ONLY_OPERATIONS for op in migration.operations)
               for migration in migrations)


def _sql_replay(schema_name: str, keys: list[tuple[str, str]], *, fake: bool, out: io.StringIO) -> int:
    """Apply the SQL-only plan `keys` by replaying its SQL, collected once per plan (and per kind of
    schema: the router gives public and tenant schemas different operations)."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor

    cache_key = ("sql", schema_name == settings.PUBLIC_SCHEMA_NAME, fake, tuple(keys))
    connection.set_schema(schema_name)
    with transaction.atomic():
        if cache_key not in _CACHE:
            loader = MigrationExecutor(connection).loader
            _CACHE[cache_key] = [] if fake else loader.collect_sql([(loader.graph.nodes[k], False) for k in keys])
        statements = [line for line in _CACHE[cache_key] if line.strip() and not line.startswith("--")]
        with connection.cursor() as cursor:
            for app, name in keys:
                out.write(f"  Applying {app}.{name}\n")
            if statements and not fake:
                from .citus import citus_enabled

                if citus_enabled():  # Citus refuses several DDL commands in one string (issue 16)
                    for statement in statements:
                        cursor.execute(statement)
                else:
                    cursor.execute("\n".join(statements))
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(schema_name)}.django_migrations (app, name, applied)"  # noqa: S608
                " SELECT app, name, now() FROM unnest(%s::text[], %s::text[]) AS m(app, name)",
                [[app for app, _ in keys], [name for _, name in keys]])
    return len(keys)


def _schema_apply(schema_name: str, *, fake: bool, verbosity: int, out: io.StringIO) -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    graph = _disk_graph()
    applied = _applied(schema_name)
    if applied is not None:
        keys = [key for key in _CACHE["full_plan"] if key not in applied]
        if not keys:
            return 0
        migrations = [graph.nodes[key] for key in keys]
        if applied and not _plan_needs_signals([(m, False) for m in migrations]) and _sql_only(migrations):
            return _sql_replay(schema_name, keys, fake=fake, out=out)
    connection.set_schema(schema_name)
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if not plan:
        return 0
    applied_set = frozenset(key for key in executor.loader.applied_migrations if key in executor.loader.graph.nodes)
    if not applied_set or _plan_needs_signals(plan):
        connection.set_schema_to_public()
        _stock_migrate(schema_name, fake=fake, verbosity=verbosity)
        return len(plan)
    state = _CACHE.get(("state", applied_set))
    if state is None:
        state = executor._create_project_state(with_applied_migrations=True)
        state.apps  # noqa: B018 - rendered once here, cloned for every schema at the same point
        _CACHE[("state", applied_set)] = state
    for migration, _backwards in plan:
        out.write(f"  Applying {migration.app_label}.{migration.name}\n")
    executor.migrate(targets, plan=plan, state=state.clone(), fake=fake)
    return len(plan)


def schema_apply(schema_name: str, fake: bool = False, verbosity: int = 1) -> SchemaResult:
    """Apply what is pending on one schema; never raises (a failed schema is reported, others go on)."""
    from django.db import connection

    started = time.monotonic()
    out = io.StringIO()
    try:
        with _fast_table_check(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            applied = _schema_apply(schema_name, fake=fake, verbosity=verbosity, out=out)
    except Exception as exc:  # a failed schema is reported, the others go on
        result = SchemaResult(schema_name, False, out.getvalue().count("Applying "), time.monotonic() - started,
                              error=f"{type(exc).__name__}: {exc}"[:500], output=out.getvalue()[-2000:])
    else:
        result = SchemaResult(schema_name, True, applied, time.monotonic() - started, output=out.getvalue()[-2000:])
    connection.set_schema_to_public()
    return result
