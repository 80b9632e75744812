"""Dunning (SPEC R10): reminder, formal notice, late charges, suspension for non-payment, and
reinstatement once everything due is paid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from mooc_platform.audit import audit_record
from mooc_platform.business_time import business_date, business_days_later
from tenants.models import Tenant
from tenants.services import IllegalTransitionError, tenant_reinstate, tenant_suspend

from ..models import Invoice
from ..money import ZERO, money_round
from ..selectors.invoices import due_q, overdue_q, unpaid_q
from .invoices import RECOVERY_INDEMNITY, _invoice_email, _late_interest_rate

REMINDER_DAYS_BEFORE_DUE = 7


SUSPENSION_DAYS_AFTER_FORMAL_NOTICE = 15


NON_PAYMENT_REASON = "non-payment"


def _late_charges_apply(*, invoice: Invoice, today: date) -> bool:
    """Late invoices bear the EUR 40 recovery indemnity and interest at the configured annual rate from
    the day after the due date, on the unpaid amount incl. tax (SPEC R10 — `001_…` art. 5.5). Mutates
    `invoice` (locked by the caller); returns whether anything changed."""
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.ISSUED or today <= invoice.due_date:
        return False
    days = (today - invoice.due_date).days
    principal = max(invoice.total_incl_tax - invoice.amount_paid, ZERO)
    interest = money_round(principal * _late_interest_rate() / 100 * days / 365)
    changed = invoice.recovery_indemnity != RECOVERY_INDEMNITY or interest > invoice.late_interest
    invoice.recovery_indemnity = RECOVERY_INDEMNITY
    # Interest never goes down: a partial payment stops it growing on the part paid, not retroactively.
    invoice.late_interest = max(invoice.late_interest, interest)
    invoice.late_interest_until = today
    return changed


@dataclass
class DunningRunResult:
    reminders: int = 0
    formal_notices: int = 0
    late_charged: int = 0
    suspended: list[str] = field(default_factory=list)


def dunning_run(*, now: datetime | None = None, batch_size: int = 500) -> DunningRunResult:
    """Reminder 7 days before the due date; formal notice on the due date; late charges after it;
    suspension 15 days (Paris wall clock) after the formal notice if still unpaid (SPEC R10 — GCS art. 4,
    `001_…` art. 5.5). A tenant is only ever suspended for an overdue invoice."""
    now = now or timezone.now()
    today = business_date(now)
    result = DunningRunResult()
    # Invoices of periods after an operator's termination wait for the operator's credit note: not dunned.
    unpaid = Invoice.objects.filter(unpaid_q(), credit_note_proposed_at__isnull=True)
    with transaction.atomic():
        for invoice in (unpaid.select_for_update(skip_locked=True, of=("self",)).select_related("tenant")
                        .filter(reminder_sent_at__isnull=True, formal_notice_sent_at__isnull=True,
                                due_date__gt=today, due_date__lte=today + timedelta(days=REMINDER_DAYS_BEFORE_DUE))
                        [:batch_size]):
            invoice.reminder_sent_at = now
            invoice.save(update_fields=["reminder_sent_at"])
            audit_record(action="invoice.reminder_sent", tenant=invoice.tenant, target=invoice,
                         after={"due_date": invoice.due_date.isoformat()})
            _invoice_email(invoice=invoice, template="invoicing/emails/invoice_reminder")
            result.reminders += 1
    with transaction.atomic():
        for invoice in (unpaid.select_for_update(skip_locked=True, of=("self",)).select_related("tenant")
                        .filter(due_q(as_of=today), formal_notice_sent_at__isnull=True)[:batch_size]):
            invoice.formal_notice_sent_at = now
            invoice.suspension_due_at = business_days_later(now, SUSPENSION_DAYS_AFTER_FORMAL_NOTICE)
            invoice.save(update_fields=["formal_notice_sent_at", "suspension_due_at"])
            audit_record(action="invoice.formal_notice_sent", tenant=invoice.tenant, target=invoice,
                         after={"suspension_due_at": invoice.suspension_due_at.isoformat()})
            _invoice_email(invoice=invoice, template="invoicing/emails/invoice_formal_notice")
            result.formal_notices += 1
    with transaction.atomic():
        late = (unpaid.select_for_update(skip_locked=True, of=("self",)).filter(overdue_q(as_of=today))
                .exclude(late_interest_until=today))
        changed = []
        for invoice in late[:5000]:
            if _late_charges_apply(invoice=invoice, today=today):
                changed.append(invoice)
        Invoice.objects.bulk_update(changed, ["recovery_indemnity", "late_interest", "late_interest_until"])
        result.late_charged = len(changed)
    tenant_ids = set(unpaid.filter(suspension_due_at__lte=now, tenant__state=Tenant.State.ACTIVE)
                     .values_list("tenant_id", flat=True))
    for tenant in Tenant.objects.filter(pk__in=tenant_ids).order_by("pk"):
        with transaction.atomic():
            # Lock the overdue invoices as payment_record does: a payment landing now either commits first
            # (the invoice no longer matches, no suspension) or waits and then reinstates.
            overdue = unpaid.select_for_update(of=("self",)).filter(tenant=tenant, suspension_due_at__lte=now)
            if not list(overdue.values_list("pk", flat=True)):
                continue
            try:
                tenant_suspend(tenant=tenant, reason=NON_PAYMENT_REASON, now=now)
            except IllegalTransitionError:
                continue  # changed state meanwhile
        result.suspended.append(tenant.slug)
    return result


def _tenant_reinstate_if_settled(*, tenant_id: int, now: datetime) -> bool:
    """Full payment of everything due reactivates a tenant suspended for non-payment at once (SPEC R10), whatever
    happened meanwhile (GCS art. 4): a suspended tenant that cancelled gets its cancelled-with-access state
    back. "Everything due" includes the invoices due today (`due_q`)."""
    tenant = Tenant.objects.get(pk=tenant_id)
    if tenant.suspension_reason != NON_PAYMENT_REASON or not (
            tenant.state == Tenant.State.SUSPENDED
            or (tenant.state == Tenant.State.CANCELLED and tenant.suspended_at is not None)):
        return False
    still_due = Invoice.objects.filter(due_q(as_of=business_date(now)), tenant_id=tenant_id)
    if still_due.exists():
        return False
    tenant_reinstate(tenant=tenant)
    return True
