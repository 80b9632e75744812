"""The Celery app. tenant-schemas-celery sends the current schema with every task and the worker
runs the task inside it; tasks still take `schema_name` + ids, never model instances (STYLE 5)."""

import os

from celery.signals import worker_ready
from tenant_schemas_celery.app import CeleryApp

from .observability import celery_signals_connect

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mooc_platform.settings.dev")

app = CeleryApp("mooc_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
celery_signals_connect()  # task latency, run time and queue depth for Prometheus (METRICS_ENABLED)


@worker_ready.connect
def _bucket_lifecycle_at_start_up(**kwargs: object) -> None:
    """The bucket aborts incomplete multipart uploads by itself (issue 11 item 5), set when a worker starts."""
    import logging

    from .storage import bucket_lifecycle_ensure

    try:
        bucket_lifecycle_ensure()
    except Exception:  # storage down at start-up must not stop the worker; /healthz reports it
        logging.getLogger(__name__).exception("could not set the bucket's lifecycle rule")
