"""Schema migrations inside a maintenance window (SPEC R18): `migrate` run on each schema —
public first, then the template schema and every tenant schema in parallel — with one result each.

Each schema goes through django-tenants' own `run_migrations` (the function its executors call), in
a pool of N worker processes so that N schemas migrate at once and each reports ok/failed separately.
The workers are *spawned*, not forked: a fork of a process that runs threads (a web server, an SDK's
background thread, a test browser) can inherit a held lock and hang; each worker pays one Django
start-up (about a second) instead, then migrates many schemas."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from django.conf import settings
from django.db import connection

from tenants.migration import template_schema_name
from tenants.models import Tenant

from .migration_worker import SchemaResult, schema_migrate, worker_init
from .models import MaintenanceWindow

__all__ = ["SchemaResult", "schema_migrate", "schemas_migrate", "schemas_to_migrate", "template_schema_present",
           "windows_in_force_all_tenants"]


def windows_in_force_all_tenants(*, now: datetime) -> list[MaintenanceWindow]:
    """Every scheduled window in force at `now`, whatever its scope (platform-wide read)."""
    return list(
        MaintenanceWindow.objects.filter(status=MaintenanceWindow.Status.SCHEDULED, start__lte=now, end__gt=now)
        .prefetch_related("tenants").order_by("start", "id")
    )


def template_schema_present() -> str | None:
    """The template schema new tenants are cloned from (`tenants.migration.template_schema_name`),
    None while it does not exist in the database yet."""
    name = template_schema_name()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return name if cursor.fetchone() else None


def schemas_to_migrate(*, windows: list[MaintenanceWindow] | None) -> tuple[list[str], list[str]]:
    """(sequential, parallel) schema lists. `windows=None` means forced: everything.

    A window for all tenants (or a forced run) migrates public, the template and every tenant schema.
    Windows for chosen tenants only allow those tenants' schemas: public is shared by everyone."""
    tenant_schemas = list(
        Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).exclude(state=Tenant.State.PURGED)
        .order_by("schema_name").values_list("schema_name", flat=True)
    )
    if windows is None or any(w.scope == MaintenanceWindow.Scope.ALL for w in windows):
        template = template_schema_present()
        return [settings.PUBLIC_SCHEMA_NAME], ([template] if template else []) + tenant_schemas
    allowed = {t.schema_name for w in windows for t in w.tenants.all()}
    return [], [name for name in tenant_schemas if name in allowed]


def schemas_migrate(*, sequential: list[str], parallel: list[str], processes: int) -> list[SchemaResult]:
    """Migrate `sequential` one after the other in this process, then `parallel` with N processes."""
    results = [schema_migrate(name, allow_atomic=True) for name in sequential]
    if processes <= 1 or len(parallel) <= 1:
        return results + [schema_migrate(name, allow_atomic=True) for name in parallel]
    database = {key: connection.settings_dict[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
    # concurrent.futures rather than multiprocessing.Pool: a worker that dies (or fails to start)
    # raises BrokenProcessPool here instead of being respawned forever.
    workers = min(processes, len(parallel))
    settings_module = getattr(settings, "SETTINGS_MODULE", None) or os.environ["DJANGO_SETTINGS_MODULE"]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=worker_init, initargs=(settings_module, database)) as pool:
        results += list(pool.map(schema_migrate, parallel, chunksize=max(1, len(parallel) // (workers * 4))))
    return results
