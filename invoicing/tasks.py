"""Thin Celery tasks: ids in, a service call, retries here (STYLE). Platform data: they run in `public`."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from mooc_platform.celery import app

from . import services


@app.task(name="invoicing.run_billing")
def run_billing() -> dict[str, Any]:
    """Beat: billing then dunning, what `manage.py run_billing` does."""
    with schema_context("public"):
        cycle = services.billing_cycle_run()
    return {"invoices_issued": cycle.billing.invoices_issued, "reminders": cycle.dunning.reminders,
            "formal_notices": cycle.dunning.formal_notices, "suspended": cycle.dunning.suspended,
            "delivered": cycle.delivered}


@app.task(name="invoicing.invoices_deliver", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def invoices_deliver() -> int:
    """Queued after a quote is signed, so the first invoice leaves at once rather than at the next beat."""
    with schema_context("public"):
        return services.invoices_deliver()


@app.task(name="invoicing.run_contract_deadlines")
def run_contract_deadlines() -> list[str]:
    """Beat: terminations of non-payers and their warning, plan retirements' reminders (SPEC R24, R27)."""
    with schema_context("public"):
        return services.contract_deadlines_run().lines()


@app.task(name="invoicing.renewal_notices_send")
def renewal_notices_send() -> dict[str, int]:
    """Beat: the renewal notices due (SPEC R23), what `manage.py run_renewal_notices` does."""
    with schema_context("public"):
        result = services.renewal_notices_send_due()
    return {"created": result.created, "sent": result.sent}


@app.task(name="invoicing.terms_announcements_send", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def terms_announcements_send(*, terms_id: int) -> dict[str, int]:
    """Queued when a terms version is published: its e-mail to the administrators of every live customer, once
    each (SPEC R22). A failed tenant is retried."""
    with schema_context("public"):
        result = services.terms_announcements_send(terms_id=terms_id)
    if result.failed:
        raise RuntimeError(f"{result.failed} terms announcement(s) failed; retrying")
    return {"created": result.created, "sent": result.sent}
