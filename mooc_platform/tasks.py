from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context, schema_exists

from mooc_platform.celery import app


@app.task(name="mooc_platform.worker_ping")
def worker_ping() -> dict[str, str]:
    """Proves a worker is alive and runs inside the sender's schema (`manage.py check_worker`)."""
    return {"schema": connection.schema_name}


@app.task(name="mooc_platform.api_tokens_expired_delete_all")
def api_tokens_expired_delete_all() -> int:
    """Beat (daily): delete the API tokens past their expiry, on the platform host and in every tenant
    whose data still exists (a token lives in the schema of the host that issued it). Returns how many."""
    from mooc_platform.accounts.tokens import tokens_expired_delete

    connection.set_schema_to_public()
    deleted = tokens_expired_delete()
    for schema_name in import_string(settings.TENANT_SCHEMAS_READER)():
        if not schema_exists(schema_name):  # purged meanwhile
            continue
        with schema_context(schema_name):
            deleted += tokens_expired_delete()
    return deleted
