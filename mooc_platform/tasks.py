from django.db import connection

from mooc_platform.celery import app


@app.task(name="mooc_platform.worker_ping")
def worker_ping() -> dict[str, str]:
    """Proves a worker is alive and runs inside the sender's schema (`manage.py check_worker`)."""
    return {"schema": connection.schema_name}
