"""Thin Celery tasks: ids in, service call (STYLE 5). Beat runs the daily ones (settings)."""

from __future__ import annotations

from django.db import connection

from mooc_platform.celery import app


@app.task(name="tenants.lifecycle_run")
def lifecycle_run_task(dry_run: bool = False) -> list[str]:
    from .services import lifecycle_run

    connection.set_schema_to_public()
    return lifecycle_run(dry_run=dry_run).lines()


@app.task(name="tenants.export_build", acks_late=True)
def tenant_export_build_task(*, export_id: int) -> int:
    from .exports import export_build

    connection.set_schema_to_public()
    return export_build(export_id=export_id).pk


@app.task(name="tenants.storage_usage_reconcile_all")
def storage_usage_reconcile_all_task() -> int:
    """Reconcile every live tenant's S3 usage; returns how many tenants were reconciled."""
    from .services import storage_usage_reconcile_all

    connection.set_schema_to_public()
    return storage_usage_reconcile_all()


@app.task(name="tenants.schema_pool_refill")
def schema_pool_refill_task() -> dict[str, int]:
    """Top up the pool of pre-cloned tenant schemas (tenants.schema_pool); a no-op when it is off."""
    from .schema_pool import pool_refill

    connection.set_schema_to_public()
    return pool_refill()
