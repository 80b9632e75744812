"""Thin Celery tasks: ids in, service call (STYLE 5). Windows live in `public`: no tenant scope needed."""

from __future__ import annotations

from django_tenants.utils import schema_context

from mooc_platform.celery import app

from .services import health_probe_run, maintenance_notices_send_due


@app.task(name="maintenance.notices_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def maintenance_notices_send(*, window_id: int | None = None) -> int:
    """Send the due notices (of one window, or of all with window_id=None); returns how many were sent."""
    with schema_context("public"):
        return len(maintenance_notices_send_due(window_id=window_id))


@app.task(name="maintenance.notices_run")
def maintenance_notices_run() -> int:
    """The beat entry: what `manage.py run_maintenance_notices` does."""
    with schema_context("public"):
        return len(maintenance_notices_send_due())


@app.task(name="maintenance.health_probe_run")
def health_probe_run_task() -> str:
    """Beat: probe /healthz; an incident after N failures in a row (SPEC R26)."""
    with schema_context("public"):
        return health_probe_run()
