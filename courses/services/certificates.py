"""Certificates of achievement (SPEC R21): the course score, issue, PDF on S3, download."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.events import event_emit, user_event_data

from ..models import Branding, Certificate, Course, Enrollment
from ..selectors.learning import course_score
from .branding import branding_display_name

logger = logging.getLogger(__name__)


def _certificate_code() -> str:
    return secrets.token_hex(8).upper()


def certificate_issue_if_earned(*, enrollment: Enrollment, now: datetime | None = None) -> Certificate | None:
    """Issue the certificate of achievement when every lesson is completed and the course score is
    at least the pass mark (SPEC R21, `001_…` definitions). Returns it when issued now."""
    now = now or timezone.now()
    if enrollment.completed_at is None:
        return None
    course = Course.objects.get(pk=enrollment.course_id)
    user = User.objects.get(pk=enrollment.user_id)
    if Certificate.objects.filter(course=course, user=user).exists():
        return None
    score = course_score(course=course, user=user)
    if score < course.pass_mark:
        return None
    certificate = Certificate.objects.create(
        code=_certificate_code(), course=course, user=user, holder_name=user.public_name,
        course_title=course.title, organisation_name=branding_display_name(), score=score, issued_at=now)
    schema_name = connection.schema_name
    transaction.on_commit(lambda: _certificate_pdf_queue(schema_name=schema_name, certificate_id=certificate.pk))
    event_emit(event_type="certificate.issued", data={
        "certificate_id": certificate.pk, "code": certificate.code, "course_id": course.pk,
        "course_title": course.title, "holder_name": certificate.holder_name, "score": str(score),
        "issued_at": now.isoformat(), "user": user_event_data(user)})
    return certificate


def _certificate_pdf_queue(*, schema_name: str, certificate_id: int) -> None:
    """Queue the PDF; when the broker is unreachable the PDF is rendered at the first download."""
    from ..tasks import certificate_pdf_store as task

    try:
        task.delay(schema_name=schema_name, certificate_id=certificate_id)
    except Exception:
        logger.warning("certificate %s: PDF not queued, it will be rendered on download", certificate_id,
                       exc_info=True)


def _tenant_address() -> str:
    """The organisation's primary host, read by value from the platform's domain table."""
    return import_string(settings.TENANT_HOST_READER)(schema_name=connection.schema_name)


def certificate_pdf_store(*, certificate_id: int) -> str:
    """Render the certificate's PDF and keep it on S3; returns its key (idempotent)."""
    from ..pdf import certificate_pdf

    certificate = Certificate.objects.get(pk=certificate_id)
    if certificate.pdf_key:
        return certificate.pdf_key
    branding = Branding.objects.filter(pk=1).select_related("logo").first()
    body = certificate_pdf(certificate=certificate, branding=branding, address=_tenant_address())
    key = f"{storage.tenant_prefix(schema_name=connection.schema_name)}certificates/{certificate.code}.pdf"
    storage.object_put(key=key, body=body, content_type="application/pdf")
    storage.storage_usage_add(delta_bytes=len(body))
    Certificate.objects.filter(pk=certificate.pk).update(pdf_key=key)
    return key


def certificate_download_url(*, certificate: Certificate) -> str:
    key = certificate.pdf_key or certificate_pdf_store(certificate_id=certificate.pk)
    return storage.presigned_get_url(key=key, filename=f"certificate-{certificate.code}.pdf")
