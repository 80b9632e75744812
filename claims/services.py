"""Claims (SPEC R25, GCS art. 13): filed by a customer administrator, timestamped on receipt, flagged late after
48 hours, acknowledged by e-mail; answered by operators (replies, status), each step audited.

Every e-mail goes to the filer in the language the claim was filed in, after the commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record, jsonable
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError
from mooc_platform.http import tenant_url
from mooc_platform.i18n import language_supported
from tenants.models import Tenant

from . import selectors
from .errors import Code
from .models import CLAIM_DEADLINE, Claim, ClaimMessage

SUBJECT_MAX = 200
BODY_MAX = 10_000


class ClaimError(ApplicationError):
    pass


def claim_is_late(*, event_at: datetime, received_at: datetime) -> bool:
    """GCS art. 13: a claim must be formulated at the latest 48 hours after the event that generated it."""
    return received_at - event_at > CLAIM_DEADLINE


def _text_check(*, subject: str, body: str) -> tuple[str, str]:
    subject, body = (subject or "").strip(), (body or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = [_("Give the claim a subject.")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [_("At most %(n)s characters.") % {"n": SUBJECT_MAX}]
    if not body:
        errors["body"] = [_("Describe what happened.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("At most %(n)s characters.") % {"n": BODY_MAX}]
    if errors:
        raise ClaimError(next(iter(errors.values()))[0], code=Code.VALIDATION_ERROR, details=errors)
    return subject, body


def _claim_url(claim: Claim) -> str:
    return tenant_url(slug=claim.tenant.slug, path=f"/claims/{claim.pk}/")


def _filer_tell(*, claim: Claim, template: str, context: dict[str, Any]) -> None:
    if not claim.filed_by_email:
        return
    recipients, language = [claim.filed_by_email], claim.language
    full = {"claim": claim, "claim_url": _claim_url(claim), "tenant": claim.tenant, **context}
    transaction.on_commit(lambda: email_send(to=recipients, template=template, context=full, language=language))


@transaction.atomic
def claim_file(*, tenant: Tenant, actor: Any, category: str, event_at: datetime, subject: str, body: str,
               kind: str = Claim.Kind.CLAIM, invoice_id: int | None = None, maintenance_window_id: int | None = None,
               incident_reference: str = "", now: datetime | None = None) -> Claim:
    """File a claim for `tenant` by its administrator `actor`. The receipt time is the platform's clock, never
    the client's; `late` when more than 48 hours after `event_at`. The event must belong to the tenant (its
    own invoice, a window that concerned it) and lie in the past. Acknowledged by e-mail to the filer."""
    now = now or timezone.now()
    if not getattr(actor, "is_tenant_admin", False):
        raise ForbiddenError(_("Only the organisation's administrators can file a claim."))
    if category not in Claim.Category.values:
        raise ClaimError(_("Choose what the claim is about."), code=Code.VALIDATION_ERROR,
                         details={"category": [_("Choose what the claim is about.")]})
    if kind not in Claim.Kind.values:
        raise ClaimError(_("Choose a claim or a support request."), code=Code.VALIDATION_ERROR,
                         details={"kind": [_("Choose a claim or a support request.")]})
    subject, body = _text_check(subject=subject, body=body)
    if event_at > now:
        raise ClaimError(_("The event cannot be in the future."), code=Code.CLAIM_EVENT_IN_FUTURE,
                         details={"event_at": [_("The event cannot be in the future.")]})
    invoice = window = None
    if category == Claim.Category.INVOICE:
        if invoice_id is None:
            raise ClaimError(_("Choose the invoice the claim is about."), code=Code.CLAIM_INVOICE_REQUIRED,
                             details={"invoice": [_("Choose the invoice the claim is about.")]})
        invoice = selectors.claim_invoices_choosable(tenant=tenant).filter(pk=invoice_id).first()
        if invoice is None:
            raise ClaimError(_("No such invoice for this organisation."), code=Code.CLAIM_INVOICE_UNKNOWN,
                             details={"invoice": [_("No such invoice for this organisation.")]})
    if category == Claim.Category.MAINTENANCE:
        window = (selectors.claim_windows_choosable(tenant=tenant, now=now).filter(pk=maintenance_window_id).first()
                  if maintenance_window_id is not None else None)
        if window is None:
            raise ClaimError(_("Choose a maintenance window that concerned your organisation and has started."),
                             code=Code.CLAIM_WINDOW_UNKNOWN,
                             details={"maintenance_window": [_("Choose a maintenance window that concerned your "
                                                               "organisation and has started.")]})
    reference = (incident_reference or "").strip()[:200] if category == Claim.Category.INCIDENT else ""
    language = getattr(actor, "language", "") or tenant.language
    claim = Claim.objects.create(
        tenant=tenant, kind=kind, category=category, invoice=invoice, maintenance_window=window,
        incident_reference=reference, event_at=event_at, received_at=now,
        late=claim_is_late(event_at=event_at, received_at=now), subject=subject, body=body,
        filed_by_user_id=actor.pk, filed_by_email=actor.email, filed_by_name=getattr(actor, "full_name", ""),
        language=language_supported(language))
    audit_record(action="claim.filed", actor=actor, tenant=tenant, target=claim,
                 after={"category": category, "kind": kind, "event_at": jsonable(event_at),
                        "received_at": jsonable(now), "late": claim.late})
    _filer_tell(claim=claim, template="claims/emails/claim_received", context={})
    return claim


@transaction.atomic
def claim_reply(*, claim: Claim, actor: Any, body: str, status: str = Claim.Status.ANSWERED,
                now: datetime | None = None) -> ClaimMessage:
    """An operator answers the claim: the message is kept, the status set (answered by default), the filer
    e-mailed with the answer."""
    now = now or timezone.now()
    if not getattr(actor, "is_operator", False):
        raise ForbiddenError(_("Only operators answer claims."))
    body = (body or "").strip()
    if not body or len(body) > BODY_MAX:
        message = _("Write the answer.") if not body else _("At most %(n)s characters.") % {"n": BODY_MAX}
        raise ClaimError(message, code=Code.VALIDATION_ERROR, details={"body": [message]})
    if status not in Claim.Status.values:
        raise ClaimError(_("Unknown status."), code=Code.CLAIM_STATUS_INVALID,
                         details={"status": [_("Unknown status.")]})
    locked = Claim.objects.select_for_update().select_related("tenant").get(pk=claim.pk)
    message = ClaimMessage.objects.create(claim=locked, author=ClaimMessage.Author.OPERATOR, author_email=actor.email,
                                          author_name=getattr(actor, "full_name", ""), body=body, created_at=now)
    before = locked.status
    _status_apply(claim=locked, status=status, now=now)
    audit_record(action="claim.replied", actor=actor, tenant=locked.tenant_id, target=locked,
                 before={"status": before}, after={"status": locked.status, "message_id": message.pk})
    _filer_tell(claim=locked, template="claims/emails/claim_replied", context={"message": message})
    claim.status, claim.closed_at = locked.status, locked.closed_at
    return message


def _status_apply(*, claim: Claim, status: str, now: datetime) -> None:
    claim.status = status
    claim.closed_at = now if status == Claim.Status.CLOSED else None
    claim.save(update_fields=["status", "closed_at", "updated_at"])


@transaction.atomic
def claim_status_set(*, claim: Claim, actor: Any, status: str, now: datetime | None = None) -> Claim:
    """An operator moves the claim (open, in progress, answered, closed); audited."""
    now = now or timezone.now()
    if not getattr(actor, "is_operator", False):
        raise ForbiddenError(_("Only operators change a claim's status."))
    if status not in Claim.Status.values:
        raise ClaimError(_("Unknown status."), code=Code.CLAIM_STATUS_INVALID,
                         details={"status": [_("Unknown status.")]})
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    before = locked.status
    if before != status:
        _status_apply(claim=locked, status=status, now=now)
        audit_record(action="claim.status_changed", actor=actor, tenant=locked.tenant_id, target=locked,
                     before={"status": before}, after={"status": status})
    claim.status, claim.closed_at = locked.status, locked.closed_at
    return locked


@transaction.atomic
def claim_follow_up(*, claim: Claim, actor: Any, body: str, now: datetime | None = None) -> ClaimMessage:
    """The administrator adds to the claim (more facts, an answer to a question): an answered claim is open
    again. A closed claim takes no more messages (file a new one)."""
    now = now or timezone.now()
    if not getattr(actor, "is_tenant_admin", False):
        raise ForbiddenError(_("Only the organisation's administrators can file a claim."))
    body = (body or "").strip()
    if not body or len(body) > BODY_MAX:
        message = _("Write your message.") if not body else _("At most %(n)s characters.") % {"n": BODY_MAX}
        raise ClaimError(message, code=Code.VALIDATION_ERROR, details={"body": [message]})
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if locked.status == Claim.Status.CLOSED:
        raise ConflictError(_("This claim is closed: file a new one."), code=Code.CLAIM_CLOSED)
    message = ClaimMessage.objects.create(claim=locked, author=ClaimMessage.Author.CUSTOMER, author_email=actor.email,
                                          author_name=getattr(actor, "full_name", ""), body=body, created_at=now)
    if locked.status == Claim.Status.ANSWERED:
        _status_apply(claim=locked, status=Claim.Status.OPEN, now=now)
    audit_record(action="claim.followed_up", actor=actor, tenant=locked.tenant_id, target=locked,
                 after={"status": locked.status, "message_id": message.pk})
    claim.status = locked.status
    return message


def claims_anonymise_tenant(*, tenant: Tenant) -> int:
    """A purged tenant's claims keep their facts (category, times, lateness, the thread) but not who filed
    or wrote them (SPEC R29); returns the number of claims changed. Idempotent (a resumed purge)."""
    changed = Claim.objects.filter(tenant=tenant).exclude(filed_by_email="", filed_by_name="",
                                                          filed_by_user_id=None).update(
        filed_by_email="", filed_by_name="", filed_by_user_id=None)
    ClaimMessage.objects.filter(claim__tenant=tenant, author=ClaimMessage.Author.CUSTOMER).update(
        author_email="", author_name="")
    return changed


def claims_anonymise_user(*, tenant: Tenant, user_id: int) -> int:
    """An erased user's claims keep their facts, not the person (SPEC R29, right to erasure)."""
    claims = Claim.objects.filter(tenant=tenant, filed_by_user_id=user_id)
    emails = set(claims.values_list("filed_by_email", flat=True)) - {""}
    ClaimMessage.objects.filter(claim__tenant=tenant, author=ClaimMessage.Author.CUSTOMER,
                                author_email__in=emails).update(author_email="", author_name="")
    return claims.update(filed_by_email="", filed_by_name="", filed_by_user_id=None)


def claims_user_erased(*, schema_name: str, user_id: int, email: str) -> int:
    """Named in settings.USER_ERASURE_HOOKS: the erased user's claims and messages keep the facts, not the person."""
    tenant = Tenant.objects.filter(schema_name=schema_name).first()
    return claims_anonymise_user(tenant=tenant, user_id=user_id) if tenant is not None else 0
