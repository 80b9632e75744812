"""The Celery app. tenant-schemas-celery sends the current schema with every task and the worker
runs the task inside it; tasks still take `schema_name` + ids, never model instances (STYLE 5)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mooc_platform.settings.dev")

app = CeleryApp("mooc_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
