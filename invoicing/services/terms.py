"""Terms of sale on record (SPEC R22 — GCS preamble, `001_…` §3): versions published by operators with their French
and English texts, effective date and the SHA-256 of their PDF; a new version applies to quotes sent from its date
(a quote keeps the version it was sent with) and is announced to the administrators of every live customer, once
each; the signed order (quote PDF + terms PDF) is e-mailed to the signer and to the customer contact."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform import storage
from mooc_platform.audit import audit_record
from mooc_platform.emails import email_send
from mooc_platform.formatting import localized
from tenants.models import Tenant
from tenants.selectors import tenant_administrator_emails

from ..errors import TermsVersionError
from ..models import Quote, QuoteSignature, TermsAnnouncement, TermsVersion
from .invoices import seller_snapshot, tenant_billing_url

logger = logging.getLogger(__name__)

VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
TEXT_MAX_CHARS = 200_000
# Customers whose contract runs: told of a new version (the ones in retention or destroyed are not).
LIVE_STATES = (Tenant.State.ACTIVE, Tenant.State.SUSPENDED, Tenant.State.CANCELLED)


def terms_version_publish(*, version: str, text_fr: str, text_en: str, effective_at: datetime | None = None,
                          actor: Any = None, ip_address: str | None = None, now: datetime | None = None
                          ) -> TermsVersion:
    """Record a new version of the terms of sale: its texts, its effective date (now or later, never before the
    latest version's) and the SHA-256 of its PDF, rendered once and kept on S3. Audited `terms.published`; after
    the commit, the administrators of every live customer are e-mailed (`terms_announcements_send`, a task).
    Raises TermsVersionError (code `invalid_terms_version`) with the field at fault."""
    now = now or timezone.now()
    effective_at = effective_at or now
    version = (version or "").strip()
    text_fr, text_en = (text_fr or "").strip(), (text_en or "").strip()
    if not VERSION_PATTERN.match(version):
        raise TermsVersionError(
            _("A version is 1 to 40 letters, digits, dots, dashes or underscores (e.g. GCS-2027-01)."),
                                details={"version": version[:60]})
    for field, text in (("text_fr", text_fr), ("text_en", text_en)):
        if not text:
            raise TermsVersionError(_("Both the French and the English text are required."),
                                    details={field: "required"})
        if len(text) > TEXT_MAX_CHARS:
            raise TermsVersionError(_("A text is %(count)s characters at most.")
                                    % {"count": localized(TEXT_MAX_CHARS)}, details={field: "too_long"})
    if effective_at < now.replace(second=0, microsecond=0):
        raise TermsVersionError(_("A new version applies from now or later, never to the past."),
                                details={"effective_at": effective_at.isoformat()})
    with transaction.atomic():
        # One publication at a time: the order of effective dates is checked against the latest one.
        list(TermsVersion.objects.select_for_update().order_by("-effective_at")[:1])
        if TermsVersion.objects.filter(version__iexact=version).exists():
            raise TermsVersionError(_("This version name is already used: versions are never edited."),
                                    details={"version": version})
        latest = TermsVersion.objects.order_by("-effective_at").first()
        if latest is not None and effective_at <= latest.effective_at:
            raise TermsVersionError(
                _("Version %(version)s applies from %(moment)s UTC: a new version applies after it.")
                                    % {"version": latest.version, "moment": f"{latest.effective_at:%Y-%m-%d %H:%M}"},
                                    details={"effective_at": effective_at.isoformat(), "latest": latest.version})
        terms = _terms_version_create(version=version, effective_at=effective_at, text_fr=text_fr, text_en=text_en,
                                      actor=actor, now=now)
        audit_record(action="terms.published", actor=actor, target=terms, ip_address=ip_address,
                     after={"version": version, "effective_at": effective_at.isoformat(), "sha256": terms.sha256})
        transaction.on_commit(lambda: _announce_soon(terms_id=terms.pk), robust=True)
    return terms


def _terms_version_create(*, version: str, effective_at: datetime, text_fr: str, text_en: str, actor: Any,
                          now: datetime) -> TermsVersion:
    """The row and its PDF on S3 (deterministic: its SHA-256 identifies the version). Also the demo seeding's way
    to a first version dated in the past, which publishing refuses."""
    pdf = _terms_document(version=version, effective_at=effective_at, text_fr=text_fr, text_en=text_en)
    digest = hashlib.sha256(pdf).hexdigest()
    key = f"terms/{version}-{digest[:12]}.pdf"
    storage.object_put(key=key, body=pdf, content_type="application/pdf")
    return TermsVersion.objects.create(
        version=version, effective_at=effective_at, text_fr=text_fr, text_en=text_en, sha256=digest, pdf_key=key,
        published_at=now, published_by_email=getattr(actor, "email", "") or "")


def _terms_document(*, version: str, effective_at: datetime, text_fr: str, text_en: str) -> bytes:
    """The PDF of a terms version, the same bytes for the same texts and seller (its SHA-256 identifies it)."""
    from ..documents import terms_pdf_render

    return terms_pdf_render(version=version, effective_at=effective_at, text_fr=text_fr, text_en=text_en,
                            seller_name=seller_snapshot()["name"])


def _announce_soon(*, terms_id: int) -> None:
    from ..tasks import terms_announcements_send

    terms_announcements_send.delay(terms_id=terms_id)


def terms_pdf(*, terms: TermsVersion) -> bytes:
    return storage.object_get(key=terms.pdf_key)


def terms_pdfs_restore() -> int:
    """Put back on S3 the PDF of every terms version whose object is missing: a local S3 emptied beside a database
    that was kept (the tests' reused database, `make run` after `.var/s3` went). Only the very document on record
    goes back (same SHA-256); one that renders differently now (the seller's name changed) is left missing and
    logged, never replaced by another document. How many were put back."""
    restored = 0
    for terms in TermsVersion.objects.order_by("pk"):
        if storage.object_head(key=terms.pdf_key) is not None:
            continue
        pdf = _terms_document(version=terms.version, effective_at=terms.effective_at, text_fr=terms.text_fr,
                              text_en=terms.text_en)
        if hashlib.sha256(pdf).hexdigest() != terms.sha256:
            logger.error("terms %s: PDF missing on S3 and not reproducible (rendered again, it differs)", terms.version)
            continue
        storage.object_put(key=terms.pdf_key, body=pdf, content_type="application/pdf")
        restored += 1
    return restored


def terms_live_tenants_count() -> int:
    """How many customers a new version is announced to (the console's confirmation says it)."""
    return _live_tenants().count()


def _live_tenants() -> QuerySet[Tenant]:
    """Across customers: the ones whose contract runs (not the platform's own row)."""
    return Tenant.objects.filter(state__in=LIVE_STATES).exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("pk")


@dataclass
class TermsAnnouncementResult:
    created: int = 0
    sent: int = 0
    failed: int = 0


def terms_announcements_send(*, terms_id: int, now: datetime | None = None) -> TermsAnnouncementResult:
    """E-mail the administrators of every live customer that the new version applies to quotes sent from its date,
    their running subscription staying under the version they signed; the PDF attached, in the tenant's language.
    Once per tenant and version (unique row; sent under the row's lock, `SKIP LOCKED`); a failure is retried by the
    next call (the task retries)."""
    now = now or timezone.now()
    terms = TermsVersion.objects.get(pk=terms_id)
    result = TermsAnnouncementResult()
    tenants = _live_tenants().exclude(pk__in=TermsAnnouncement.objects.filter(terms=terms).values("tenant_id"))
    # A concurrent call may insert the same (terms, tenant): the constraint keeps one.
    result.created = len(TermsAnnouncement.objects.bulk_create(
        [TermsAnnouncement(terms=terms, tenant=tenant, created_at=now) for tenant in tenants], ignore_conflicts=True))
    pdf = terms_pdf(terms=terms)
    failed: set[int] = set()
    while True:
        with transaction.atomic():
            announcement = (TermsAnnouncement.objects.select_for_update(skip_locked=True, of=("self",))
                            .select_related("tenant").filter(terms=terms, sent_at__isnull=True)
                            .exclude(pk__in=failed).order_by("pk").first())
            if announcement is None:
                break
            try:
                with transaction.atomic():
                    tenant = announcement.tenant
                    recipients = tenant_administrator_emails(tenant=tenant)
                    email_send(to=recipients, template="invoicing/emails/terms_published",
                               context={"terms": terms, "tenant": tenant, "seller": seller_snapshot(),
                                        "billing_url": tenant_billing_url(tenant=tenant)},
                               language=tenant.language, attachments=[(terms.pdf_filename, pdf, "application/pdf")])
                    announcement.recipients, announcement.sent_at = sorted(recipients), now
                    announcement.save(update_fields=["recipients", "sent_at"])
            except Exception:  # a tenant without a schema, SMTP down: retried next time
                logger.exception("terms announcement %s to tenant %s failed", terms.version, announcement.tenant_id)
                failed.add(announcement.pk)
                continue
            result.sent += 1
    result.failed = len(failed)
    return result


def _quote_terms_attach(*, quote: Quote, now: datetime) -> None:
    """Bind a quote being sent to the terms version in force (SPEC R22: a quote keeps the version it was sent
    with; once bound it never changes). Without any published version, the configured label stays."""
    from ..selectors.terms import terms_in_force

    if quote.terms_id is not None:
        return
    terms = terms_in_force(at=now)
    if terms is not None:
        quote.terms, quote.terms_version = terms, terms.version


def signed_order_send(*, quote_id: int) -> int:
    """E-mail the signed order — the quote PDF and the terms PDF it was signed under, with the signature evidence —
    to the signer and the customer contact, in the quote's language (SPEC R22). Returns the messages sent."""
    quote = Quote.objects.select_related("terms").get(pk=quote_id)
    signature = QuoteSignature.objects.get(quote=quote)
    attachments = [(f"{quote.reference}.pdf", storage.object_get(key=quote.pdf_key), "application/pdf")]
    if quote.terms is not None:
        attachments.append((quote.terms.pdf_filename, terms_pdf(terms=quote.terms), "application/pdf"))
    return email_send(to=[signature.signer_email, quote.contact_email], template="invoicing/emails/order_signed",
                      context={"quote": quote, "signature": signature, "terms": quote.terms,
                               "seller": seller_snapshot()},
                      language=quote.language, attachments=attachments)
