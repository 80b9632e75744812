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
        billing = services.billing_run()
        dunning = services.dunning_run()
        services.quotes_expire()
        rendered = services.invoice_pdfs_render_missing()
    return {"invoices_issued": billing.invoices_issued, "reminders": dunning.reminders,
            "formal_notices": dunning.formal_notices, "suspended": dunning.suspended, "pdfs": rendered}


@app.task(name="invoicing.invoice_pdf_render", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def invoice_pdf_render(invoice_id: int) -> str:
    from .models import Invoice

    with schema_context("public"):
        return services.invoice_pdf_ensure(invoice=Invoice.objects.get(pk=invoice_id))
