"""The tenant lifecycle (SPEC R10–R14): suspend, reinstate, cancel, terminate, end of access,
resubscribe; the daily sweep and the destruction reminders."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from mooc_platform.audit import audit_record
from mooc_platform.audit import jsonable as _jsonable
from mooc_platform.business_time import business_days_later
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError
from mooc_platform.events import event_emit
from mooc_platform.http import tenant_url
from mooc_platform.storage import tenant_prefix
from tenants.errors import Code

from ..models import DestructionRecord, Tenant
from ..routing import tenant_cache_clear
from ..selectors import RETENTION_DAYS, tenant_administrator_emails, tenant_schema_tables
from .purge import tenant_purge

logger = logging.getLogger(__name__)


# One service per transition; each checks that the transition is legal, writes an audit event and
# e-mails the tenant's administrators on commit.



class IllegalTransitionError(ApplicationError):
    code = Code.ILLEGAL_TRANSITION
    status_code = 409


class TenantTerminatedError(IllegalTransitionError):
    """The operator terminated the contract (GCS art. 3): the customer cannot undo it itself."""

    code = Code.TENANT_TERMINATED


def _lifecycle_email(*, tenant: Tenant, event: str, extra: dict[str, Any] | None = None) -> None:
    """Queue the e-mail announcing `event` to the tenant's administrators (sent on commit)."""
    recipients = tenant_administrator_emails(tenant=tenant)
    context = {"tenant": tenant, "event": event, "tenant_url": tenant_url(slug=tenant.slug),
               "platform_name": settings.PLATFORM_NAME, **(extra or {})}
    transaction.on_commit(lambda: email_send(to=recipients, template="tenants/emails/lifecycle", context=context,
                                             language=tenant.language))


def _transition(*, tenant: Tenant, allowed_from: set[str], to: str, action: str, actor: Any,
                changes: dict[str, Any], notify: bool = True, event: str | None = None,
                guard: Any = None) -> Tenant:
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.state not in allowed_from:
            raise IllegalTransitionError(
                _("A tenant that is %(from)s cannot become %(to)s.") % {"from": locked.state, "to": to},
                details={"from": locked.state, "to": to, "allowed_from": sorted(allowed_from)},
            )
        if guard is not None:
            guard(locked)
        before = {"state": locked.state, **{k: _jsonable(getattr(locked, k)) for k in changes}}
        locked.state = to
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=["state", *changes])
        audit_record(action=action, actor=actor, tenant=locked, target=locked, before=before,
                     after={"state": to, **{k: _jsonable(v) for k, v in changes.items()}})
        if notify:
            _lifecycle_email(tenant=locked, event=event or action.split(".", 1)[1])
        event_emit(schema_name=locked.schema_name, event_type="tenant.lifecycle_changed", data={
            "action": action, "state_before": before["state"], "state_after": to,
            "reason": str(changes.get("suspension_reason", "") or changes.get("termination_reason", "") or "")})
        tenant_cache_clear()
        transaction.on_commit(tenant_cache_clear)
    for name in ("state", *changes):
        setattr(tenant, name, getattr(locked, name))
    return tenant


def tenant_suspend(*, tenant: Tenant, reason: str, actor: Any = None, now: datetime | None = None,
                   notify: bool = True) -> Tenant:
    """Suspend access (non-payment or breach) until reinstated; no data is touched (SPEC R10, R11;
    GCS art. 4, 7: the customer is told by e-mail).

    A cancelled tenant still has access until its paid-through date: suspending it cuts that access and keeps it
    cancelled (`suspended_at` set), as `tenant_reinstate` expects."""
    current = Tenant.objects.only("state", "suspended_at").get(pk=tenant.pk)
    if current.state == Tenant.State.CANCELLED and current.suspended_at is None:
        def not_suspended(locked: Tenant) -> None:
            if locked.suspended_at is not None:
                raise IllegalTransitionError(_("This tenant is already suspended."), details={"from": locked.state})

        return _transition(tenant=tenant, allowed_from={Tenant.State.CANCELLED}, to=Tenant.State.CANCELLED,
                           action="tenant.suspended", actor=actor, notify=notify, guard=not_suspended,
                           event="suspended",
                           changes={"suspended_at": now or timezone.now(), "suspension_reason": reason})
    return _transition(tenant=tenant, allowed_from={Tenant.State.ACTIVE}, to=Tenant.State.SUSPENDED,
                       action="tenant.suspended", actor=actor, notify=notify,
                       changes={"suspended_at": now or timezone.now(), "suspension_reason": reason})


def tenant_reinstate(*, tenant: Tenant, actor: Any = None, notify: bool = True) -> Tenant:
    """Give access back at once (full payment of the sums due, or the breach is over; SPEC R10).

    A suspended tenant that cancelled meanwhile stays cancelled: reinstating it lifts the suspension,
    so that it gets its access back until its paid-through date."""
    current = Tenant.objects.only("state", "suspended_at").get(pk=tenant.pk)
    if current.state == Tenant.State.CANCELLED and current.suspended_at is not None:
        def still_suspended(locked: Tenant) -> None:
            if locked.suspended_at is None:
                raise IllegalTransitionError(_("This tenant is not suspended."), details={"from": locked.state})

        return _transition(tenant=tenant, allowed_from={Tenant.State.CANCELLED}, to=Tenant.State.CANCELLED,
                           action="tenant.reinstated", actor=actor, notify=notify, guard=still_suspended,
                           event="reinstated", changes={"suspended_at": None, "suspension_reason": ""})
    return _transition(tenant=tenant, allowed_from={Tenant.State.SUSPENDED}, to=Tenant.State.ACTIVE,
                       action="tenant.reinstated", actor=actor, notify=notify,
                       changes={"suspended_at": None, "suspension_reason": ""})


def tenant_cancel(*, tenant: Tenant, access_ends_at: datetime, actor: Any = None, notify: bool = True) -> Tenant:
    """The customer cancels: no refund, access continues until the paid-through date (SPEC R12,
    GCS art. 3). `run_lifecycle` moves the tenant to retention once that date has passed."""
    return _transition(tenant=tenant, allowed_from={Tenant.State.ACTIVE, Tenant.State.SUSPENDED},
                       to=Tenant.State.CANCELLED, action="tenant.cancelled", actor=actor, notify=notify,
                       changes={"access_ends_at": access_ends_at,
                                "retention_ends_at": business_days_later(access_ends_at, RETENTION_DAYS)})


def tenant_terminate(*, tenant: Tenant, reason: str, actor: Any = None, now: datetime | None = None,
                     notify: bool = True) -> Tenant:
    """The operator ends access at once (non-payment, offence, data volume); retention follows (SPEC R13). The
    termination is final for the customer (GCS art. 3): it cannot resubscribe itself until an operator lifts it
    (`tenant_termination_lift`). The subscription side (closing it, credit notes proposed for the periods after
    today) is `invoicing.services.subscription_terminate`, which calls this."""
    now = now or timezone.now()
    return _transition(
        tenant=tenant, allowed_from={Tenant.State.ACTIVE, Tenant.State.SUSPENDED, Tenant.State.CANCELLED},
        to=Tenant.State.RETENTION, action="tenant.terminated", actor=actor, notify=notify,
        changes={"access_ends_at": now, "retention_ends_at": business_days_later(now, RETENTION_DAYS),
                 "terminated_at": now, "suspension_reason": reason, "reminder_30_sent_at": None,
                 "reminder_7_sent_at": None},
    )


def tenant_termination_lift(*, tenant: Tenant, actor: Any, reason: str, now: datetime | None = None) -> Tenant:
    """An operator lifts a termination (GCS art. 3: only the platform can): the customer may then subscribe again
    from its billing page during retention, as after a cancellation. Nothing else changes: access stays ended
    and the retention dates run on. Audited with the operator and the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the termination is lifted."), code=Code.VALIDATION_ERROR,
                               details={"reason": "required"})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.terminated_at is None or locked.state != Tenant.State.RETENTION:
            raise IllegalTransitionError(_("This tenant is not under a termination that can be lifted."),
                                         details={"state": locked.state,
                                                  "terminated_at": _jsonable(locked.terminated_at)})
        before = {"state": locked.state, "terminated_at": _jsonable(locked.terminated_at),
                  "suspension_reason": locked.suspension_reason}
        locked.terminated_at = None
        locked.save(update_fields=["terminated_at"])
        audit_record(action="tenant.termination_lifted", actor=actor, tenant=locked, target=locked, before=before,
                     after={"state": locked.state, "terminated_at": None, "reason": reason,
                            "lifted_at": _jsonable(now or timezone.now())})
        transaction.on_commit(tenant_cache_clear)
    tenant.terminated_at = None
    return tenant


def tenant_access_end(*, tenant: Tenant, actor: Any = None, now: datetime | None = None, notify: bool = True
                      ) -> Tenant:
    """Access ended (paid-through date passed): the data is kept 180 days (SPEC R12)."""
    now = now or timezone.now()

    def guard(locked: Tenant) -> None:
        if locked.access_ends_at is None or locked.access_ends_at > now:
            raise IllegalTransitionError(_("Access has not ended yet."), details={
                "access_ends_at": _jsonable(locked.access_ends_at)})

    ends = tenant.access_ends_at or now
    return _transition(tenant=tenant, allowed_from={Tenant.State.CANCELLED}, to=Tenant.State.RETENTION,
                       action="tenant.retention_started", actor=actor, notify=notify, guard=guard,
                       changes={"retention_ends_at": business_days_later(ends, RETENTION_DAYS),
                                "reminder_30_sent_at": None, "reminder_7_sent_at": None})


def tenant_access_extend(*, tenant: Tenant, access_ends_at: datetime, actor: Any = None,
                         now: datetime | None = None, notify: bool = True) -> Tenant:
    """A cancelled customer paid a further period: access runs to the end of the period paid (SPEC R12 —
    GCS art. 3), even when it had ended meanwhile (retention → cancelled again); the 180 days of retention
    count from the new date. Refused when the date is not later than the current end of access nor in the
    future, once the retention period is over or the purge has started."""
    now = now or timezone.now()

    def guard(locked: Tenant) -> None:
        if locked.terminated_at is not None:
            raise TenantTerminatedError(_("The platform terminated this contract: a payment does not restore access."))
        if access_ends_at <= now or (locked.access_ends_at is not None and access_ends_at <= locked.access_ends_at):
            raise IllegalTransitionError(_("Access already runs until then."), details={
                "access_ends_at": _jsonable(locked.access_ends_at)})
        if locked.state == Tenant.State.RETENTION and locked.retention_ends_at and locked.retention_ends_at <= now:
            raise IllegalTransitionError(_("The retention period is over: the data is being destroyed."),
                                         details={"retention_ends_at": _jsonable(locked.retention_ends_at)})
        if DestructionRecord.objects.filter(tenant=locked).exists():
            raise IllegalTransitionError(_("The destruction of this tenant's data has started."))

    return _transition(tenant=tenant, allowed_from={Tenant.State.CANCELLED, Tenant.State.RETENTION},
                       to=Tenant.State.CANCELLED, action="tenant.access_extended", actor=actor, notify=notify,
                       guard=guard, event="reinstated",
                       changes={"access_ends_at": access_ends_at,
                                "retention_ends_at": business_days_later(access_ends_at, RETENTION_DAYS),
                                "reminder_30_sent_at": None, "reminder_7_sent_at": None})


def tenant_resubscribe(*, tenant: Tenant, actor: Any = None, now: datetime | None = None, notify: bool = True
                       ) -> Tenant:
    """The customer subscribes again before destruction: the tenant comes back untouched (SPEC R14).
    Refused once the retention period is over or a purge has started."""
    now = now or timezone.now()

    def guard(locked: Tenant) -> None:
        if locked.terminated_at is not None:  # GCS art. 3: final for the customer; an operator lifts it
            raise TenantTerminatedError(
                _("The platform terminated this organisation's contract: it cannot subscribe again by itself. "
                  "Contact the platform's operators."), details={"terminated_at": _jsonable(locked.terminated_at)})
        if locked.state == Tenant.State.RETENTION and locked.retention_ends_at and locked.retention_ends_at <= now:
            raise IllegalTransitionError(_("The retention period is over: the data is being destroyed."),
                                         details={"retention_ends_at": _jsonable(locked.retention_ends_at)})
        if DestructionRecord.objects.filter(tenant=locked).exists():
            raise IllegalTransitionError(_("The destruction of this tenant's data has started."))

    return _transition(tenant=tenant, allowed_from={Tenant.State.RETENTION, Tenant.State.CANCELLED},
                       to=Tenant.State.ACTIVE, action="tenant.resubscribed", actor=actor, notify=notify, guard=guard,
                       changes={"access_ends_at": None, "retention_ends_at": None, "suspended_at": None,
                                "suspension_reason": "", "reminder_30_sent_at": None, "reminder_7_sent_at": None})


@dataclass
class LifecycleReport:
    """What a sweep did (or, dry, would do): lists of (slug, detail) per kind of change."""

    now: datetime
    dry_run: bool
    retention_started: list[tuple[str, str]] = field(default_factory=list)
    reminders: list[tuple[str, str]] = field(default_factory=list)
    purged: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "would " if self.dry_run else ""
        out = [f"run_lifecycle at {self.now.isoformat()}{' (dry run: nothing changed)' if self.dry_run else ''}"]
        out += [f"{verb}start retention: {slug} ({detail})" for slug, detail in self.retention_started]
        out += [f"{verb}send reminder: {slug} ({detail})" for slug, detail in self.reminders]
        out += [f"{verb}DESTROY: {slug} ({detail})" for slug, detail in self.purged]
        out += [f"error: {slug}: {detail}" for slug, detail in self.errors]
        if len(out) == 1:
            out.append("nothing to do")
        return out


def lifecycle_run(*, now: datetime | None = None, dry_run: bool = False) -> LifecycleReport:
    """Move every tenant whose dates have passed: cancelled past its paid-through date → retention;
    retention 30 and 7 days before its end → reminder; retention past its end (or a purge left
    unfinished) → purge. One query per kind of change selects the tenants (set-based)."""
    now = now or timezone.now()
    report = LifecycleReport(now=now, dry_run=dry_run)
    from ..selectors import tenants_due_for_purge, tenants_due_for_reminder, tenants_due_for_retention

    for tenant in tenants_due_for_retention(now=now):
        report.retention_started.append(
            (tenant.slug, f"access ended {tenant.access_ends_at.isoformat()}, data kept until "
                          f"{business_days_later(tenant.access_ends_at, RETENTION_DAYS).isoformat()}"))
        if not dry_run:
            _sweep_step(report, tenant, lambda t=tenant: tenant_access_end(tenant=t, now=now))
    for tenant, days in tenants_due_for_reminder(now=now):
        report.reminders.append(
            (tenant.slug, f"{days} days before destruction on {tenant.retention_ends_at.isoformat()}"))
        if not dry_run:
            tenant_destruction_reminder_send(tenant=tenant, days=days, now=now)
    for tenant in tenants_due_for_purge(now=now):
        tables = tenant_schema_tables(schema_name=tenant.schema_name) if schema_exists(tenant.schema_name) else {}
        report.purged.append(
            (tenant.slug, f"schema {tenant.schema_name}: {len(tables)} tables, {sum(tables.values())} rows; "
                          f"S3 prefix {tenant_prefix(schema_name=tenant.schema_name)}; "
                          f"retention ended {_jsonable(tenant.retention_ends_at)}"))
        if not dry_run:
            _sweep_step(report, tenant, lambda t=tenant: tenant_purge(tenant=t, now=now))
    return report


def _sweep_step(report: LifecycleReport, tenant: Tenant, step: Any) -> None:
    """One tenant's failure (S3 down, a lock) is reported and retried tomorrow; the others go on."""
    try:
        step()
    except ApplicationError as exc:
        report.errors.append((tenant.slug, exc.message))
    except Exception as exc:  # a batch job reports every failure and goes on with the next tenant
        logger.exception("lifecycle step failed for tenant %s", tenant.slug)
        report.errors.append((tenant.slug, f"{type(exc).__name__}: {exc}"))


def tenant_destruction_reminder_send(*, tenant: Tenant, days: int, now: datetime | None = None) -> None:
    """E-mail the administrators `days` (30 or 7) days before destruction, once (SPEC R14)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        names = ["reminder_7_sent_at", "reminder_30_sent_at"] if days == 7 else ["reminder_30_sent_at"]
        if locked.state != Tenant.State.RETENTION or getattr(locked, names[0]) is not None:
            return
        for name in names:  # a late 7-day reminder makes the 30-day one moot
            if getattr(locked, name) is None:
                setattr(locked, name, now)
        locked.save(update_fields=names)
        audit_record(action=f"tenant.destruction_reminder_{days}", tenant=locked, target=locked,
                     after={"retention_ends_at": _jsonable(locked.retention_ends_at), "days": days})
        _lifecycle_email(tenant=locked, event="destruction_reminder", extra={"days": days})
