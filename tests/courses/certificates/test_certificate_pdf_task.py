"""The certificate PDF task runs on a real Celery worker inside the tenant's schema."""

import uuid
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context

from courses.models import Certificate
from courses.tasks import certificate_pdf_store
from mooc_platform import storage


def test_certificate_pdf_is_rendered_by_the_worker_in_the_tenant_schema(transactional_db, demo,
                                                                       celery_worker_session) -> None:
    code = uuid.uuid4().hex[:16].upper()
    with schema_context(demo.schema_name):
        certificate = Certificate.objects.create(code=code, holder_name="Wendy Worker", course_title="Async",
                                                 organisation_name="Demo University", score=Decimal("80.00"),
                                                 issued_at=timezone.now())
    key = certificate_pdf_store.delay(schema_name=demo.schema_name, certificate_id=certificate.pk).get(timeout=30)
    assert key == f"tenants/{demo.schema_name}/certificates/{code}.pdf"
    assert storage.object_get(key=key)[:5] == b"%PDF-"
    with schema_context(demo.schema_name):
        assert Certificate.objects.get(pk=certificate.pk).pdf_key == key
    gone = certificate_pdf_store.delay(schema_name=demo.schema_name, certificate_id=10**15).get(timeout=30)
    assert gone == ""
    storage.object_delete(key=key)
