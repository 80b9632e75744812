"""Thin Celery tasks of the integrations app: schema name and ids in, a service call, retries here (STYLE 5)."""

from django_tenants.utils import schema_context

from mooc_platform.celery import app


@app.task(name="integrations.webhook_deliver", acks_late=True)
def webhook_deliver(*, schema_name: str, delivery_id: int, manual: bool = False) -> bool:
    """One attempt of a webhook delivery; a failed one is sent again after the backoff the service returns.
    Returns whether another attempt was scheduled."""
    from .services import webhooks

    with schema_context(schema_name):
        delay = webhooks.webhook_delivery_attempt(delivery_id=delivery_id, manual=manual)
    if delay is None:
        return False
    webhook_deliver.apply_async(kwargs={"schema_name": schema_name, "delivery_id": delivery_id},
                                countdown=delay.total_seconds())
    return True


@app.task(name="integrations.xapi_statement_send", acks_late=True)
def xapi_statement_send(*, schema_name: str, statement_id: int) -> bool:
    """One attempt to send an xAPI statement to the organisation's LRS; a 5XX or no answer is sent again after
    the backoff the service returns. Returns whether another attempt was scheduled."""
    from .services import xapi

    with schema_context(schema_name):
        delay = xapi.xapi_statement_attempt(statement_id=statement_id)
    if delay is None:
        return False
    xapi_statement_send.apply_async(kwargs={"schema_name": schema_name, "statement_id": statement_id},
                                    countdown=delay.total_seconds())
    return True


@app.task(name="integrations.cartridge_export_build", acks_late=True)
def cartridge_export_build(*, schema_name: str, export_id: int) -> str:
    """Build a course's IMS Common Cartridge and store it on S3. Returns the export's status."""
    from .services import cartridges

    with schema_context(schema_name):
        export = cartridges.cartridge_export_build(export_id=export_id)
    return export.status if export is not None else "skipped"
