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
