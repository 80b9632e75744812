"""Non-payers do not stay suspended forever (SPEC R27 — GCS art. 3–4, `001_…` §5.5): a tenant suspended for
non-payment INVOICING_NON_PAYMENT_TERMINATION_DAYS days (default 60) is terminated for non-payment, after a last
e-mail warning INVOICING_NON_PAYMENT_WARNING_DAYS days (default 15) before; retention and destruction follow as
for any termination. A customer under collective proceedings (safeguard, receivership, liquidation: set by an
operator, audited) bears no late charges and is never suspended nor terminated automatically."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record
from mooc_platform.business_time import business_days_later
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ConflictError
from mooc_platform.http import tenant_url
from tenants.models import Tenant
from tenants.selectors import tenant_administrator_emails

from ..errors import Code
from ..models import CollectiveProceedings, Invoice, NonPaymentTerminationWarning, Subscription
from ..selectors.invoices import unpaid_q
from ..selectors.proceedings import platform_tenant_ids_under_collective_proceedings
from .dunning import NON_PAYMENT_REASON, _late_charges_state
from .subscriptions import subscription_terminate

NON_PAYMENT_TERMINATION_REASON = "non-payment"


def non_payment_termination_days() -> int:
    return settings.INVOICING_NON_PAYMENT_TERMINATION_DAYS


def non_payment_warning_days() -> int:
    return settings.INVOICING_NON_PAYMENT_WARNING_DAYS


def non_payment_termination_due(*, suspended_at: datetime, warned_at: datetime | None = None) -> datetime:
    """When a tenant suspended for non-payment at `suspended_at` is terminated: that many days later (Paris wall
    clock, across DST), and never less than the warning period after the warning actually sent (a warning sent
    late, the job having been down, postpones the termination rather than shortening the notice)."""
    due = business_days_later(suspended_at, non_payment_termination_days())
    if warned_at is not None:
        due = max(due, business_days_later(warned_at, non_payment_warning_days()))
    return due


def non_payment_warning_due(*, suspended_at: datetime) -> datetime:
    return business_days_later(suspended_at, non_payment_termination_days() - non_payment_warning_days())


class ProceedingsStateError(ConflictError):
    code = Code.PROCEEDINGS_STATE


def collective_proceedings_open(*, tenant: Tenant, kind: str, reference: str = "", actor: Any,
                                now: datetime | None = None) -> CollectiveProceedings:
    """An operator records that the customer is under collective proceedings (`001_…` §5.5). From now on its
    invoices bear no late charges (those already applied to its unpaid invoices are reversed, audited), and it
    is neither suspended nor terminated automatically. A suspension in force stays: lifting it is the operator's
    decision (`tenant_reinstate`)."""
    now = now or timezone.now()
    if kind not in CollectiveProceedings.Kind.values:
        raise ApplicationError(_("Unknown kind of proceedings."), code=Code.VALIDATION_ERROR,
                               details={"kind": sorted(CollectiveProceedings.Kind.values)})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if CollectiveProceedings.objects.filter(tenant=locked, ended_at__isnull=True).exists():
            raise ProceedingsStateError(_("This customer is already under collective proceedings."))
        proceedings = CollectiveProceedings.objects.create(
            tenant=locked, kind=kind, reference=reference.strip()[:200], started_at=now,
            started_by_email=getattr(actor, "email", "") or "")
        audit_record(action="customer.collective_proceedings_opened", actor=actor, tenant=locked, target=proceedings,
                     before={"under_collective_proceedings": False},
                     after={"under_collective_proceedings": True, "kind": kind, "reference": proceedings.reference})
        for invoice in (Invoice.objects.select_for_update().filter(unpaid_q(), tenant=locked)
                        .exclude(recovery_indemnity=0, late_interest=0).order_by("sequence")):
            before = _late_charges_state(invoice)
            invoice.recovery_indemnity = invoice.late_interest = 0
            invoice.save(update_fields=["recovery_indemnity", "late_interest"])
            audit_record(action="invoice.late_charges_reversed", actor=actor, tenant=locked, target=invoice,
                         before=before, after={**_late_charges_state(invoice),
                                               "reason": "collective proceedings (001 §5.5)"})
    return proceedings


def collective_proceedings_close(*, tenant: Tenant, actor: Any, now: datetime | None = None) -> CollectiveProceedings:
    """An operator records the end of the proceedings: the ordinary dunning rules apply again from now on (late
    charges are computed from the facts at the next run)."""
    now = now or timezone.now()
    with transaction.atomic():
        Tenant.objects.select_for_update().get(pk=tenant.pk)
        proceedings = CollectiveProceedings.objects.select_for_update().filter(
            tenant=tenant, ended_at__isnull=True).first()
        if proceedings is None:
            raise ProceedingsStateError(_("This customer is not under collective proceedings."))
        proceedings.ended_at, proceedings.ended_by_email = now, getattr(actor, "email", "") or ""
        proceedings.save(update_fields=["ended_at", "ended_by_email"])
        audit_record(action="customer.collective_proceedings_closed", actor=actor, tenant=tenant, target=proceedings,
                     before={"under_collective_proceedings": True, "kind": proceedings.kind},
                     after={"under_collective_proceedings": False})
    return proceedings


@dataclass
class NonPaymentRunReport:
    """What a run did (or, dry, would do): (slug, detail) per warning sent and per termination."""

    warned: list[tuple[str, str]] = field(default_factory=list)
    terminated: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def _tenants_suspended_for_non_payment(*, now: datetime) -> list[Tenant]:
    """Tenants suspended for non-payment (active or cancelled ones) long enough for a warning to be due, not under
    collective proceedings and not terminated yet. The date filter is a coarse bound (DST moves an hour); the
    exact Paris-time deadlines are checked per tenant."""
    horizon = business_days_later(now, -(non_payment_termination_days() - non_payment_warning_days()) + 1)
    return list(Tenant.objects.filter(suspension_reason=NON_PAYMENT_REASON, suspended_at__lte=horizon,
                                      state__in=[Tenant.State.SUSPENDED, Tenant.State.CANCELLED],
                                      terminated_at__isnull=True)
                .exclude(id__in=platform_tenant_ids_under_collective_proceedings()).order_by("suspended_at", "id"))


def non_payment_terminations_run(*, now: datetime | None = None, dry_run: bool = False) -> NonPaymentRunReport:
    """Warn, then terminate, the tenants suspended for non-payment too long (SPEC R27). Idempotent: the warning is
    recorded once per suspension (a unique row), the termination moves the tenant out of the selection."""
    now = now or timezone.now()
    report = NonPaymentRunReport()
    for tenant in _tenants_suspended_for_non_payment(now=now):
        warning = NonPaymentTerminationWarning.objects.filter(tenant=tenant, suspended_at=tenant.suspended_at).first()
        if warning is None:
            if now < non_payment_warning_due(suspended_at=tenant.suspended_at):
                continue
            due = non_payment_termination_due(suspended_at=tenant.suspended_at, warned_at=now)
            report.warned.append((tenant.slug, f"suspended since {tenant.suspended_at.isoformat()}, "
                                               f"terminated on {due.isoformat()} unless paid"))
            if not dry_run:
                non_payment_termination_warn(tenant=tenant, now=now)
            continue
        due = non_payment_termination_due(suspended_at=tenant.suspended_at, warned_at=warning.sent_at)
        if now < due:
            continue
        report.terminated.append((tenant.slug, f"suspended since {tenant.suspended_at.isoformat()}, warned "
                                               f"{warning.sent_at.isoformat()}"))
        if not dry_run:
            try:
                non_payment_terminate(tenant=tenant, now=now)
            except ApplicationError as exc:
                report.errors.append((tenant.slug, exc.message))
    return report


def _still_suspended_for_non_payment(locked: Tenant) -> bool:
    return (locked.suspension_reason == NON_PAYMENT_REASON and locked.suspended_at is not None
            and locked.terminated_at is None
            and locked.state in (Tenant.State.SUSPENDED, Tenant.State.CANCELLED)
            and not CollectiveProceedings.objects.filter(tenant=locked, ended_at__isnull=True).exists())


def non_payment_termination_warn(*, tenant: Tenant, now: datetime | None = None) -> NonPaymentTerminationWarning | None:
    """The last e-mail warning, once per suspension (the database refuses a second row): to the tenant's
    administrators and the billing contact, in the tenant's language, with the termination date and the amount
    due. Returns the warning recorded, or None when there was nothing to do (already warned, paid meanwhile)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if not _still_suspended_for_non_payment(locked):
            return None
        due = non_payment_termination_due(suspended_at=locked.suspended_at, warned_at=now)
        try:
            with transaction.atomic():
                warning = NonPaymentTerminationWarning.objects.create(
                    tenant=locked, suspended_at=locked.suspended_at, sent_at=now, termination_due_at=due)
        except IntegrityError:
            return None  # another run sent it
        unpaid = list(Invoice.objects.filter(unpaid_q(), tenant=locked).order_by("sequence"))
        balance = sum((invoice.balance_due for invoice in unpaid), 0)
        audit_record(action="tenant.non_payment_termination_warning", tenant=locked, target=locked,
                     after={"suspended_at": locked.suspended_at.isoformat(), "termination_due_at": due.isoformat(),
                            "balance_due": str(balance)})
        subscription = Subscription.objects.filter(tenant=locked).order_by("-id").first()
        recipients = tenant_administrator_emails(tenant=locked) + ([subscription.buyer_email] if subscription else [])
        context = {"tenant": locked, "termination_due_at": due, "balance": balance,
                   "invoices": [invoice.number for invoice in unpaid],
                   "billing_url": tenant_url(slug=locked.slug, path="/billing/"),
                   "platform_name": settings.PLATFORM_NAME}
        transaction.on_commit(lambda: email_send(to=recipients, template="invoicing/emails/non_payment_warning",
                                                 context=context, language=locked.language))
    return warning


def non_payment_terminate(*, tenant: Tenant, now: datetime | None = None) -> Tenant | None:
    """Terminate for non-payment (GCS art. 3) through the operator's own termination: access ends now, the
    subscription is closed, retention (180 days) then destruction follow, the administrators are told. Refused
    silently (None) when the tenant paid, was reinstated or went under collective proceedings meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if not _still_suspended_for_non_payment(locked):
            return None
        days = non_payment_termination_days()
        return subscription_terminate(
            tenant=locked, now=now,
            reason=f"{NON_PAYMENT_TERMINATION_REASON} ({days} days suspended)")
