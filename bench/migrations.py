"""Migrations over many tenants (SPEC §5, issue 16 item 1): our `migrate_schemas` vs the stock
django-tenants command, at 100 and 1,000 tenants, with nothing to apply and with one added field,
measured in the same run.

    .venv/bin/python bench/migrations.py [--sizes 100,1000] [--processes 2]

Each size has a scratch database of its own (`mooc_bench_mig<N>`, on the embedded PostgreSQL or on
DATABASE_URL's server) holding public, the template and N tenants cloned from it (a Tenant row and a
schema each: what migrations see); made on the first run, reused afterwards. Both commands run with
`--executor=multiprocessing` and the same number of processes (TENANT_MULTIPROCESSING_MAX_PROCESSES).
"One added field": a migration adding a nullable column to `courses.Course` is written into
`courses/migrations/` for the run (removed at the end, whatever happens); after each command the
column and its record are dropped again with plain SQL, so the other command starts from the same
point. The stock command does not migrate the template schema (it has no Tenant row); ours does.
Targets at 1,000 tenants: nothing to apply ≤ 10 s, one added field ≤ 60 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from _setup import django_setup, results_write, table

FIELD_MIGRATION = "9999_bench_added_field"
FIELD_COLUMN = "bench_added"
MIGRATION_FILE = Path(__file__).resolve().parent.parent / "courses" / "migrations" / f"{FIELD_MIGRATION}.py"


def _use_database(name: str) -> None:
    """Point the default connection at database `name` on the same server, created when missing, and
    migrate its public and template schemas."""
    from django.conf import settings
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name
    from django.core.management import call_command

    from tenants.migration import template_schema_migrate

    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    template_schema_migrate()


def _tenants_ensure(count: int) -> None:
    from django.db import connection, transaction

    from tenants.clone import schema_clone
    from tenants.migration import template_schema_name
    from tenants.models import Tenant

    existing = Tenant.objects.filter(slug__startswith="mig-").count()
    started = time.perf_counter()
    for n in range(existing, count):
        slug = f"mig-{n:05d}"
        with transaction.atomic():
            schema_clone(source=template_schema_name(), target=f"t_mig_{n:05d}")
            Tenant.objects.create(slug=slug, name=f"Migrations {n}", schema_name=f"t_mig_{n:05d}")
        if (n + 1) % 200 == 0:
            print(f"  {n + 1} tenants cloned ({time.perf_counter() - started:.0f} s)", flush=True)
    connection.set_schema_to_public()


def _schemas() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = 'public' OR nspname LIKE 't\\_%%'"
                       " OR nspname = 'tenant_template'")
        return [row[0] for row in cursor.fetchall()]


def _field_migration_write() -> None:
    from django.db.migrations.loader import MigrationLoader

    leaf = next(node for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
                if node[0] == "courses" and node[1] != FIELD_MIGRATION)
    MIGRATION_FILE.write_text(
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):  # written by bench/migrations.py for one run\n"
        f"    dependencies = [{leaf!r}]\n"
        f"    operations = [migrations.AddField('course', {FIELD_COLUMN!r}, models.IntegerField(null=True))]\n")


def _field_revert() -> None:
    """Drop the added column and its record everywhere (plain SQL: no migration command involved)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for schema in _schemas():
            cursor.execute(f'ALTER TABLE IF EXISTS "{schema}".courses_course DROP COLUMN IF EXISTS {FIELD_COLUMN}')
            cursor.execute(f"""DO $$ BEGIN
                IF to_regclass('"{schema}".django_migrations') IS NOT NULL THEN
                  DELETE FROM "{schema}".django_migrations WHERE app = 'courses' AND name = '{FIELD_MIGRATION}';
                END IF; END $$""")


def _columns_added() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'courses_course'"
                       " AND column_name = %s", [FIELD_COLUMN])
        return cursor.fetchone()[0]


@contextlib.contextmanager
def _stock_command() -> Iterator[None]:
    """django-tenants' own executor: its command reads GET_EXECUTOR_FUNCTION once, at import."""
    from django_tenants.management.commands import migrate_schemas
    from django_tenants.migration_executors import get_executor

    ours = migrate_schemas.GET_EXECUTOR_FUNCTION
    migrate_schemas.GET_EXECUTOR_FUNCTION = get_executor
    try:
        yield
    finally:
        migrate_schemas.GET_EXECUTOR_FUNCTION = ours


def _timed_migrate(*, stock: bool) -> float:
    from django.core.management import call_command
    from django.db import connection

    context = _stock_command() if stock else contextlib.nullcontext()
    started = time.perf_counter()
    with context:
        call_command("migrate_schemas", executor="multiprocessing", interactive=False, verbosity=0,
                     stdout=io.StringIO(), stderr=io.StringIO())
    seconds = time.perf_counter() - started
    connection.set_schema_to_public()
    return seconds


def _size(count: int, rows: list[tuple], checks: list[Callable[[], None]]) -> None:
    from tenants.models import Tenant

    _use_database(f"mooc_bench_mig{count}")
    _tenants_ensure(count)
    tenants = Tenant.objects.exclude(schema_name="public").count()
    _field_revert()
    nothing_ours = _timed_migrate(stock=False)
    nothing_stock = _timed_migrate(stock=True)
    _field_migration_write()
    try:
        field_ours = _timed_migrate(stock=False)
        added_ours = _columns_added()
        _field_revert()
        field_stock = _timed_migrate(stock=True)
        added_stock = _columns_added()
    finally:
        MIGRATION_FILE.unlink(missing_ok=True)
        _field_revert()
    rows.append((f"nothing to apply, {tenants} tenants", f"{nothing_ours:.1f} s", f"{nothing_stock:.1f} s",
                 f"{nothing_ours / nothing_stock:.2f}"))
    rows.append((f"one added field, {tenants} tenants", f"{field_ours:.1f} s", f"{field_stock:.1f} s",
                 f"{field_ours / field_stock:.2f}"))
    # Both commands really migrated: ours adds the column to the template too.
    rows.append((f"  schemas given the column (of {tenants} tenants)", f"{added_ours}", f"{added_stock}", "-"))
    if count >= 1000:
        checks.append(lambda: print(f"target at {tenants} tenants: nothing {nothing_ours:.1f} s ≤ 10 s "
                                    f"{'OK' if nothing_ours <= 10 else 'MISSED'}; one field {field_ours:.1f} s ≤ 60 s "
                                    f"{'OK' if field_ours <= 60 else 'MISSED'}"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    django_setup(database="mooc_bench_mig100", migrate="none", seed=False)
    from django.conf import settings

    settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = args.processes
    rows: list[tuple] = []
    checks: list[Callable[[], None]] = []
    for size in [int(s) for s in args.sizes.split(",")]:
        _size(size, rows, checks)
    text = table(["migrate_schemas (multiprocessing, "
                  f"{args.processes} processes)", "ours", "stock django-tenants", "ours / stock"], rows)
    print(text)
    for check in checks:
        check()
    results_write("migrations", text)


if __name__ == "__main__":
    main()
