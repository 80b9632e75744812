"""Certificates of achievement (SPEC R21): the course score, issue, PDF on S3, download."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.events import event_emit, user_event_data
from mooc_platform.http import tenant_url

from ..models import Branding, Certificate, Course, Enrollment, Notification
from ..selectors.learning import course_score
from .branding import branding_display_name, tenant_default_language, tenant_slug_current
from .notifications import notify

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
    notify(users=[user], kind=Notification.Kind.CERTIFICATE, key=f"certificate:{certificate.pk}",
           params={"course": course.title}, url=reverse("my-certificates"), now=now)
    return certificate


def _certificate_pdf_queue(*, schema_name: str, certificate_id: int) -> None:
    """Queue the PDF; when the broker is unreachable the PDF is rendered at the first download."""
    from ..tasks import certificate_pdf_store as task

    try:
        task.delay(schema_name=schema_name, certificate_id=certificate_id)
    except Exception:
        logger.warning("certificate %s: PDF not queued, it will be rendered on download", certificate_id,
                       exc_info=True)




def certificate_language(*, certificate: Certificate) -> str:
    """The language the certificate is written in: its course's or learning path's (FR/EN), else the
    organisation's default (the course or path was deleted since)."""
    if certificate.for_path:
        language = certificate.path.language if certificate.path_id and certificate.path else ""
    else:
        language = certificate.course.language if certificate.course_id and certificate.course else ""
    return language or tenant_default_language()


def certificate_verify_url(*, certificate: Certificate) -> str:
    """The absolute public verification URL (scheme, host and port as configured, SPEC R1, R21): what the
    PDF's QR code, the Open Badge and the LinkedIn link carry, whatever host the request came on."""
    return tenant_url(slug=tenant_slug_current(), path=reverse("certificate-verify", args=[certificate.code]))


def certificate_credential_url(*, certificate: Certificate) -> str:
    """The absolute URL of the certificate's Open Badges 3.0 credential (JSON-LD)."""
    return tenant_url(slug=tenant_slug_current(), path=reverse("certificate-credential", args=[certificate.code]))


OPEN_BADGES_CONTEXT = ["https://www.w3.org/ns/credentials/v2",
                       "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def certificate_identity_salt(*, certificate: Certificate) -> str:
    """A salt per certificate, stable, published in the credential (Open Badges 3.0 IdentityObject)."""
    return hashlib.sha256(f"open-badge-salt:{certificate.code}".encode()).hexdigest()[:16]


def certificate_identity_hash(*, email: str, salt: str) -> str:
    """Open Badges 3.0 hashed identity: `sha256$` + hex SHA-256 of the (lower-case) e-mail and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def certificate_open_badge(*, certificate: Certificate) -> dict[str, Any]:
    """The certificate as an Open Badges 3.0 `OpenBadgeCredential` (JSON-LD, unsigned: its proof is the
    public verification page it names). The recipient is identified by a salted hash of the e-mail only;
    after the holder erased their account the credential names no recipient identity."""
    verify_url = certificate_verify_url(certificate=certificate)
    home = tenant_url(slug=tenant_slug_current())
    issued = certificate.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": f"{verify_url}#achievement",
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": certificate.course_title,
            "description": f"{certificate.course_title} — {certificate.organisation_name}",
            "criteria": {"narrative": "Every lesson completed with a course score of at least the pass mark."},
            "inLanguage": certificate_language(certificate=certificate),
            "creator": {"id": home, "type": ["Profile"], "name": certificate.organisation_name},
        },
        "result": [{"type": ["Result"], "value": str(certificate.score)}],
    }
    user = certificate.user if certificate.user_id and not certificate.holder_removed else None
    if user is not None:
        salt = certificate_identity_salt(certificate=certificate)
        subject["identifier"] = [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                                  "identityHash": certificate_identity_hash(email=user.email, salt=salt),
                                  "salt": salt}]
    return {
        "@context": OPEN_BADGES_CONTEXT,
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.course_title,
        "issuer": {"id": home, "type": ["Profile"], "name": certificate.organisation_name, "url": home},
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": subject,
    }


LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def certificate_linkedin_url(*, certificate: Certificate) -> str:
    """LinkedIn's "add to profile" link for the certificate: name, organisation, issue year and month (in
    Paris time), the verification URL and the code."""
    issued = timezone.localtime(certificate.issued_at, timezone=ZoneInfo(settings.PLATFORM_TIME_ZONE))
    return LINKEDIN_ADD_TO_PROFILE + "?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": certificate.course_title,
        "organizationName": certificate.organisation_name, "issueYear": issued.year, "issueMonth": issued.month,
        "certUrl": certificate_verify_url(certificate=certificate), "certId": certificate.code})



def certificate_pdf_store(*, certificate_id: int) -> str:
    """Render the certificate's PDF and keep it on S3; returns its key (idempotent)."""
    from ..pdf import certificate_pdf

    certificate = Certificate.objects.get(pk=certificate_id)
    if certificate.pdf_key:
        return certificate.pdf_key
    branding = Branding.objects.filter(pk=1).select_related("logo").first()
    body = certificate_pdf(certificate=certificate, branding=branding,
                           verify_url=certificate_verify_url(certificate=certificate),
                           language=certificate_language(certificate=certificate))
    key = f"{storage.tenant_prefix(schema_name=connection.schema_name)}certificates/{certificate.code}.pdf"
    storage.object_put(key=key, body=body, content_type="application/pdf")
    storage.storage_usage_add(delta_bytes=len(body))
    Certificate.objects.filter(pk=certificate.pk).update(pdf_key=key)
    return key


def certificate_download_url(*, certificate: Certificate) -> str:
    key = certificate.pdf_key or certificate_pdf_store(certificate_id=certificate.pk)
    return storage.presigned_get_url(key=key, filename=f"certificate-{certificate.code}.pdf")
