"""`migrate_schemas` over 1,000 tenants in seconds (issue 16 item 1), and the template schema kept
migrated by the same command.

django-tenants' `migrate_schemas` migrates `public` and every schema listed in the Tenant table;
`GET_EXECUTOR_FUNCTION` points here, so the executor chosen by `--executor` is wrapped:

- a run over all tenant schemas migrates the template (`TENANT_BASE_SCHEMA`, no Tenant row) first,
  creating it when missing; `tenant_provision` then clones it (see `clone.py`);
- one query over every schema's `django_migrations` (`schemas_status`) decides which schemas have
  anything to apply; the others are not touched (the stock command runs Django's whole `migrate` on
  each: 412 s over 1,000 up-to-date tenants, measured in issue 16);
- the pending ones are migrated by `schemas_apply` (`migration_worker.schema_apply`: one state render
  per process, no per-schema checks), in parallel worker processes with `--executor=multiprocessing`
  (`TENANT_MULTIPROCESSING_MAX_PROCESSES`) or `--parallel N`;
- a tenant whose schema is gone (purged: its row stays for its invoices) is skipped with a line,
  never a crash.

Options the fast path does not implement (a target migration, `--fake-initial`, `--plan`, `--prune`,
`--run-syncdb`, `--check`) hand the run to the stock executor, over the schemas that exist.
`maintenance.migration` (`migrate_in_window`) uses the same `schemas_status` and `schemas_apply`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.migration_executors import get_executor as stock_get_executor

from .migration_worker import SchemaResult, caches_clear, schema_apply, worker_init

__all__ = ["SchemaResult", "SchemasStatus", "get_executor", "schema_apply", "schema_create_if_missing",
           "schemas_apply", "schemas_status", "template_schema_migrate", "template_schema_name"]

# Options of `migrate_schemas` that only the stock executor implements.
STOCK_ONLY_OPTIONS = ("app_label", "migration_name", "fake_initial", "plan", "prune", "run_syncdb", "check_unapplied")
# Schemas per UNION ALL statement (a statement over 1,000 schemas plans in ~50 ms; smaller keeps it flat).
STATUS_BATCH = 500
# A spawned worker costs a Django start-up (1–5 s on a loaded 2-core machine) and a plan replayed as SQL
# ~15 ms per schema: below this many pending schemas per worker, one process is faster.
SCHEMAS_PER_WORKER = 250


def template_schema_name() -> str:
    return settings.TENANT_BASE_SCHEMA


@dataclass
class SchemasStatus:
    """Each schema asked about, in the order asked: `pending` (something to apply, or no
    `django_migrations` table yet), `up_to_date`, `missing` (no such schema)."""

    pending: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _migrations_on_disk() -> list[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return sorted(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def schemas_status(*, schema_names: list[str]) -> SchemasStatus:
    """Which of `schema_names` have a migration on disk not recorded in their `django_migrations`:
    one catalogue query, then one UNION ALL query per STATUS_BATCH schemas (issue 16: 1.5 s over
    1,000 schemas where the stock command spends 412 s finding out)."""
    expected = _migrations_on_disk()
    apps, names = [a for a, _ in expected], [n for _, n in expected]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid"
            " AND c.relname = 'django_migrations' AND c.relkind IN ('r', 'p'))"
            " FROM pg_namespace n WHERE n.nspname = ANY(%s)", [list(schema_names)])
        has_table = dict(cursor.fetchall())
        with_table = [name for name in schema_names if has_table.get(name)]
        recorded: dict[str, int] = {}
        for start in range(0, len(with_table), STATUS_BATCH):
            batch = with_table[start:start + STATUS_BATCH]
            union = " UNION ALL ".join(
                f"SELECT %s::text AS schema_name, app, name FROM {quote(name)}.django_migrations"  # noqa: S608
                for name in batch)
            cursor.execute(
                f"SELECT m.schema_name, count(DISTINCT (m.app, m.name)) FROM ({union}) m"  # noqa: S608
                " JOIN unnest(%s::text[], %s::text[]) AS e(app, name) ON e.app = m.app AND e.name = m.name"
                " GROUP BY m.schema_name", [*batch, apps, names])
            recorded.update(cursor.fetchall())
    status = SchemasStatus()
    for name in schema_names:
        if name not in has_table:
            status.missing.append(name)
        elif recorded.get(name, 0) < len(expected):
            status.pending.append(name)
        else:
            status.up_to_date.append(name)
    return status


def schemas_apply(*, schema_names: list[str], processes: int = 1, fake: bool = False,
                  verbosity: int = 1) -> list[SchemaResult]:
    """Apply what is pending on each schema (those with nothing pending cost one short query each;
    pass `schemas_status(...).pending` to skip them altogether), in this process or in up to N spawned
    worker processes (one per SCHEMAS_PER_WORKER schemas). The workers are *spawned*, not forked: a
    fork of a process that runs threads (a web server, an SDK's background thread, a test browser) can
    inherit a held lock and hang; each worker pays one Django start-up, then migrates its share."""
    caches_clear()  # the migrations on disk may have changed since the last run in this process
    workers = min(processes, len(schema_names) // SCHEMAS_PER_WORKER)
    if workers <= 1:
        return [schema_apply(name, fake, verbosity) for name in schema_names]
    database = {key: connection.settings_dict[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
    settings_module = getattr(settings, "SETTINGS_MODULE", None) or os.environ["DJANGO_SETTINGS_MODULE"]
    # concurrent.futures rather than multiprocessing.Pool: a worker that dies (or fails to start)
    # raises BrokenProcessPool here instead of being respawned forever. Contiguous chunks: neighbours
    # in a chunk usually share their applied set, hence one rendered state per worker.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=worker_init, initargs=(settings_module, database)) as pool:
        return list(pool.map(schema_apply, schema_names, [fake] * len(schema_names),
                             [verbosity] * len(schema_names),
                             chunksize=max(1, len(schema_names) // (workers * 4))))


def _tenant_states(schema_names: list[str]) -> dict[str, str]:
    from .models import Tenant

    return dict(Tenant.objects.filter(schema_name__in=schema_names).values_list("schema_name", "state"))


def get_executor(codename: str | None = None) -> type:
    base = stock_get_executor(codename=codename)

    class SkippingExecutor(base):  # type: ignore[misc, valid-type]
        def run_migrations(self, tenants: Any = None) -> None:
            schemas = list(tenants or [])
            all_tenants = not self.options.get("schema_name") and schemas != [self.PUBLIC_SCHEMA_NAME]
            if all_tenants and template_schema_name() not in schemas:
                schema_create_if_missing(schema_name=template_schema_name())
                schemas.insert(0, template_schema_name())
            status = schemas_status(schema_names=schemas)
            self._missing_report(status.missing)
            if any(self.options.get(name) for name in STOCK_ONLY_OPTIONS):
                super().run_migrations(tenants=[name for name in schemas if name not in status.missing])
                return
            self._apply(status)

        def _processes(self) -> int:
            if self.options.get("parallel"):
                return max(1, int(self.options["parallel"]))
            if self.codename == "standard":
                return 1
            return max(1, int(getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2)))

        def _apply(self, status: SchemasStatus) -> None:
            verbosity = int(self.options.get("verbosity", 1))
            fake = bool(self.options.get("fake"))
            first = [name for name in status.pending if name == self.PUBLIC_SCHEMA_NAME]
            rest = [name for name in status.pending if name != self.PUBLIC_SCHEMA_NAME]
            # public first, alone: the tenant schemas' migrations may read what it holds.
            results = schemas_apply(schema_names=first, processes=1, fake=fake, verbosity=verbosity)
            results += schemas_apply(schema_names=rest, processes=self._processes(), fake=fake, verbosity=verbosity)
            connection.set_schema_to_public()
            for result in results:
                if verbosity >= 1 or not result.ok:
                    state = "ok" if result.ok else f"FAILED {result.error}"
                    self._write(f"[{self.codename}:{result.schema_name}] {state}: {result.applied} migration(s)"
                                f" applied in {result.seconds:.2f} s", error=not result.ok)
                if verbosity >= 2 and result.output:
                    self._write(result.output)
            if verbosity >= 1:
                self._write(f"[{self.codename}] {len(results)} schema(s) migrated, {len(status.up_to_date)} up to"
                            f" date, {len(status.missing)} without a schema")
            failed = [result.schema_name for result in results if not result.ok]
            if failed:
                raise CommandError(f"{len(failed)} schema(s) failed: {', '.join(failed)}")

        def _missing_report(self, missing: list[str]) -> None:
            states = _tenant_states(missing) if missing else {}
            for name in missing:
                self._write(f"[{self.codename}] {name}: no schema ({states.get(name, 'no tenant')}), skipped")

        def _write(self, line: str, *, error: bool = False) -> None:
            stream = self.options.get("stderr" if error else "stdout") or (sys.stderr if error else sys.stdout)
            stream.write(line + "\n")

    SkippingExecutor.__name__ = f"Skipping{base.__name__}"
    SkippingExecutor.codename = base.codename
    return SkippingExecutor


def schema_create_if_missing(*, schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')


def template_schema_migrate() -> None:
    """Create and migrate the template schema alone (used when it is missing or behind)."""
    from django.core.management import call_command

    schema_create_if_missing(schema_name=template_schema_name())
    call_command("migrate_schemas", schema_name=template_schema_name(), interactive=False, verbosity=0)
    connection.set_schema_to_public()
