"""Schema migrations inside a maintenance window (SPEC R18): public first, then the template schema
and every tenant schema in parallel, with one result each.

The same path as `migrate_schemas` (tenants.migration, issue 16 item 1): one query tells which schemas
have anything to apply (`schemas_status`); those are migrated by `schemas_apply` in N spawned worker
processes, the others are reported up to date without being touched."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection

from tenants.migration import SchemaResult, schemas_apply, schemas_status, template_schema_name
from tenants.models import Tenant

from .models import MaintenanceWindow

__all__ = ["SchemaResult", "schemas_migrate", "schemas_to_migrate", "template_schema_present",
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
    """Migrate `sequential` one after the other in this process, then `parallel` with N processes;
    one result per schema, in the order given (an up-to-date schema: ok, 0 applied; a schema that does
    not exist: failed)."""
    status = schemas_status(schema_names=[*sequential, *parallel])
    pending = set(status.pending)
    results = {r.schema_name: r for r in schemas_apply(
        schema_names=[name for name in sequential if name in pending], processes=1)}
    results.update((r.schema_name, r) for r in schemas_apply(
        schema_names=[name for name in parallel if name in pending], processes=max(1, processes)))
    connection.set_schema_to_public()
    for name in status.up_to_date:
        results[name] = SchemaResult(name, True, 0, 0.0, output="up to date")
    for name in status.missing:
        results[name] = SchemaResult(name, False, 0, 0.0, error="the schema does not exist")
    return [results[name] for name in [*sequential, *parallel]]
