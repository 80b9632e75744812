"""Writes of the operator console that belong to no single app: four-eyes approvals and the operators'
second factor. Everything else the console does is a call to the apps' own services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from invoicing.services import subscription_terminate
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError
from tenants.models import Tenant
from tenants.services import audit_record, tenant_purge

from .errors import Code
from .models import ApprovalRequest

RECOVERY_CODES = 10


class SecondOperatorRequiredError(ForbiddenError):
    code = Code.SECOND_OPERATOR_REQUIRED


def four_eyes_required(*, action: str) -> bool:
    return action in settings.CONSOLE_FOUR_EYES_ACTIONS


def _execute(*, action: str, tenant: Tenant, reason: str, actor: Any, now: datetime) -> None:
    if action == ApprovalRequest.Action.TERMINATE:
        # Access ends, the subscription closes, later periods' invoices get a credit note proposed (SPEC R13).
        subscription_terminate(tenant=tenant, reason=reason, actor=actor, now=now)
    elif action == ApprovalRequest.Action.PURGE:
        tenant_purge(tenant=tenant, actor=actor, now=now)
    else:  # pragma: no cover - choices are closed
        raise ApplicationError(_("Unknown action."), code=Code.INVALID_ACTION)


def tenant_action_request(*, action: str, tenant: Tenant, reason: str, actor: Any,
                          now: datetime | None = None) -> ApprovalRequest | None:
    """Terminate or purge-now. With four-eyes on for `action` (CONSOLE_FOUR_EYES_ACTIONS), record a pending
    request for a second operator and return it; otherwise do it now and return None. Audited either way."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if action not in ApprovalRequest.Action.values:
        raise ApplicationError(_("Unknown action."), code=Code.INVALID_ACTION, details={"action": action})
    if not reason:
        raise ApplicationError(_("Give the reason: it is sent to the customer and kept in the audit log."),
                               code=Code.REASON_REQUIRED, details={"reason": "required"})
    if not four_eyes_required(action=action):
        _execute(action=action, tenant=tenant, reason=reason[:200], actor=actor, now=now)
        return None
    try:
        with transaction.atomic():
            approval = ApprovalRequest.objects.create(action=action, tenant=tenant, reason=reason[:500],
                                                      requested_by_email=actor.email, requested_at=now)
            audit_record(action="approval.requested", actor=actor, tenant=tenant, target=approval,
                         after={"action": action, "reason": reason[:500]})
    except IntegrityError as exc:
        raise ConflictError(_("The same request is already waiting for a second operator."),
                            code=Code.APPROVAL_PENDING) from exc
    return approval


def approval_decide(*, approval: ApprovalRequest, approve: bool, actor: Any,
                    now: datetime | None = None) -> ApprovalRequest:
    """A second operator approves (the action runs now, as them) or rejects a pending request. The
    requester cannot decide their own request. A refusal of the action itself (the tenant changed state
    meanwhile) is recorded as the outcome and shown, not raised."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = ApprovalRequest.objects.select_for_update().select_related("tenant").get(pk=approval.pk)
        if locked.status != ApprovalRequest.Status.PENDING:
            raise ConflictError(_("This request has already been decided."), code=Code.APPROVAL_DECIDED,
                                details={"status": locked.status})
        if locked.requested_by_email.lower() == (actor.email or "").lower():
            raise SecondOperatorRequiredError(_("A second operator must approve this request: you made it."))
        locked.decided_by_email, locked.decided_at = actor.email, now
        if not approve:
            locked.status = ApprovalRequest.Status.REJECTED
        else:
            try:
                with transaction.atomic():
                    _execute(action=locked.action, tenant=locked.tenant, reason=locked.reason[:200], actor=actor,
                             now=now)
                locked.status = ApprovalRequest.Status.EXECUTED
            except ApplicationError as exc:
                locked.status, locked.outcome = ApprovalRequest.Status.FAILED, str(exc.message)[:500]
        locked.save(update_fields=["status", "decided_by_email", "decided_at", "outcome"])
        audit_record(action=f"approval.{'granted' if approve else 'rejected'}", actor=actor, tenant=locked.tenant,
                     target=locked, before={"status": ApprovalRequest.Status.PENDING},
                     after={"status": locked.status, "action": locked.action,
                            "requested_by": locked.requested_by_email, "outcome": locked.outcome})
    return locked


# --- Operators' second factor (django-otp) ---------------------------------------------------------


def operator_totp_device_start(*, operator: Any) -> TOTPDevice:
    """An unconfirmed authenticator for an operator who has none yet (a fresh secret each time)."""
    TOTPDevice.objects.filter(user=operator, confirmed=False).delete()
    return TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=False)


def operator_recovery_codes_issue(*, operator: Any) -> list[str]:
    """Ten new single-use recovery codes; the previous ones stop working. Shown once, stored as issued."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=operator, name="recovery",
                                                              defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        audit_record(action="operator.recovery_codes_issued", actor=operator, target=device,
                     after={"count": len(codes)})
    return codes


def operator_totp_confirm(*, device: TOTPDevice, token: str) -> list[str]:
    """Confirm an authenticator with a first code from it; returns the operator's recovery codes."""
    if device.confirmed:
        raise ConflictError(_("This authenticator is already set up."), code=Code.ALREADY_CONFIRMED)
    if not device.verify_token((token or "").strip()):
        raise ApplicationError(_("This code is not valid. Check the time of your device and try again."),
                               code=Code.INVALID_CODE, details={"token": "invalid"})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(action="operator.totp_enrolled", actor=device.user, target=device)
        return operator_recovery_codes_issue(operator=device.user)
