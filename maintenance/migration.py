"""Schema migrations inside a maintenance window (SPEC R18): `migrate` run on each schema —
public first, then the template schema and every tenant schema in parallel — with one result each.

Each schema goes through django-tenants' own `run_migrations` (the function its executors call), in
a process of a fork pool so that N schemas migrate at once and each reports ok/failed separately."""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, connections
from django_tenants.migration_executors.base import run_migrations
from django_tenants.utils import get_tenant_base_migrate_command_class

from tenants.models import Tenant

from .models import MaintenanceWindow


@dataclass(frozen=True)
class SchemaResult:
    schema_name: str
    ok: bool
    applied: int
    seconds: float
    error: str = ""
    output: str = ""


def windows_in_force_all_tenants(*, now: datetime) -> list[MaintenanceWindow]:
    """Every scheduled window in force at `now`, whatever its scope (platform-wide read)."""
    return list(
        MaintenanceWindow.objects.filter(status=MaintenanceWindow.Status.SCHEDULED, start__lte=now, end__gt=now)
        .prefetch_related("tenants").order_by("start", "id")
    )


def template_schema_name() -> str | None:
    """The template schema new tenants are cloned from, if one exists in the database.

    `settings.TENANT_BASE_SCHEMA` when set (django-tenants' name for it); otherwise a schema named
    `template`, `template_…` or `…_template` that belongs to no tenant."""
    configured = getattr(settings, "TENANT_BASE_SCHEMA", None)
    with connection.cursor() as cursor:
        if configured:
            cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = %s", [configured])
        else:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname = 'template' OR nspname LIKE 'template\\_%%' "
                "OR nspname LIKE '%%\\_template' ORDER BY nspname"
            )
        found = [row[0] for row in cursor.fetchall()]
    taken = set(Tenant.objects.filter(schema_name__in=found).values_list("schema_name", flat=True))
    candidates = [name for name in found if name not in taken]
    return candidates[0] if candidates else None


def schemas_to_migrate(*, windows: list[MaintenanceWindow] | None) -> tuple[list[str], list[str]]:
    """(sequential, parallel) schema lists. `windows=None` means forced: everything.

    A window for all tenants (or a forced run) migrates public, the template and every tenant schema.
    Windows for chosen tenants only allow those tenants' schemas: public is shared by everyone."""
    tenant_schemas = list(
        Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).exclude(state=Tenant.State.PURGED)
        .order_by("schema_name").values_list("schema_name", flat=True)
    )
    if windows is None or any(w.scope == MaintenanceWindow.Scope.ALL for w in windows):
        template = template_schema_name()
        return [settings.PUBLIC_SCHEMA_NAME], ([template] if template else []) + tenant_schemas
    allowed = {t.schema_name for w in windows for t in w.tenants.all()}
    return [], [name for name in tenant_schemas if name in allowed]


def _migrate_options(verbosity: int) -> dict:
    command = get_tenant_base_migrate_command_class()()
    parser = command.create_parser("manage.py", "migrate")
    options = vars(parser.parse_args(["--noinput", f"--verbosity={verbosity}"]))
    options["skip_checks"] = True
    return options


def schema_migrate(schema_name: str, verbosity: int = 1, allow_atomic: bool = False) -> SchemaResult:
    """Run the migrations of one schema and say how it went (never raises)."""
    started = time.monotonic()
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            run_migrations((), _migrate_options(verbosity), "migrate_in_window", schema_name,
                           allow_atomic=allow_atomic)
    except Exception as exc:  # a failed schema is reported, the others go on
        connection.set_schema_to_public()
        return SchemaResult(schema_name, False, out.getvalue().count("Applying "), time.monotonic() - started,
                            error=f"{type(exc).__name__}: {exc}"[:500], output=out.getvalue()[-2000:])
    return SchemaResult(schema_name, True, out.getvalue().count("Applying "), time.monotonic() - started,
                        output=out.getvalue()[-2000:])


def schemas_migrate(*, sequential: list[str], parallel: list[str], processes: int) -> list[SchemaResult]:
    """Migrate `sequential` one after the other in this process, then `parallel` with N processes."""
    results = [schema_migrate(name, allow_atomic=True) for name in sequential]
    if processes <= 1 or len(parallel) <= 1:
        return results + [schema_migrate(name, allow_atomic=True) for name in parallel]
    # The children must not share this process's database socket.
    for conn in connections.all():
        conn.close()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=processes) as pool:
        results += pool.map(schema_migrate, parallel, chunksize=max(1, len(parallel) // (processes * 4)))
    return results
