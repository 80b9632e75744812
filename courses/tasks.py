"""Thin Celery tasks of the courses app: schema name and ids in, a service call, retries here (STYLE 5)."""

from django.core.exceptions import ObjectDoesNotExist
from django_tenants.utils import schema_context

from mooc_platform.celery import app


@app.task(name="courses.certificate_pdf_store", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def certificate_pdf_store(*, schema_name: str, certificate_id: int) -> str:
    """Render and store a certificate's PDF on S3; returns its key ("" when the certificate is gone).
    Idempotent; storage errors are retried."""
    from . import services

    with schema_context(schema_name):
        try:
            return services.certificate_pdf_store(certificate_id=certificate_id)
        except ObjectDoesNotExist:
            return ""
