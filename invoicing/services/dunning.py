"""Dunning (SPEC R10): reminder, formal notice, late charges, suspension for non-payment, and
reinstatement once everything due is paid."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mooc_platform.audit import audit_record, audit_record_many
from mooc_platform.business_time import business_date, business_days_later
from tenants.models import Tenant
from tenants.services import IllegalTransitionError, tenant_reinstate, tenant_suspend

from ..models import CollectiveProceedings, Invoice
from ..money import ZERO, money_round
from ..selectors.invoices import due_q, overdue_q, unpaid_q
from ..selectors.payments import SETTLEMENT_GRACE_DAYS
from ..selectors.proceedings import platform_tenant_ids_under_collective_proceedings
from .invoices import RECOVERY_INDEMNITY, _invoice_email, _late_interest_rate

REMINDER_DAYS_BEFORE_DUE = 7


SUSPENSION_DAYS_AFTER_FORMAL_NOTICE = 15


NON_PAYMENT_REASON = "non-payment"


def late_charges_compute(*, invoice: Invoice, payments: Iterable[tuple[date, Decimal]], as_of: date
                         ) -> tuple[Decimal, Decimal]:
    """What an invoice bears in late charges on the business date `as_of`, from the facts alone — its due date
    and the payments with their receipt dates (Europe/Paris), whenever they were recorded (SPEC R10 — `001_…`
    art. 5.5: "any amount … not paid on time"). Returns `(recovery indemnity, interest)`:

    - the EUR 40 indemnity once part of the invoice amount was still unpaid at the end of its due date: a
      payment received on or before the due date is on time, even if it is recorded later;
    - interest at the configured annual rate for each day after the due date up to `as_of`, on the invoice
      amount (incl. tax) outstanding that day. A payment received on day d still leaves day d on the old
      balance and lowers it from day d + 1. Payments go to the invoice amount first: the indemnity and the
      interest bear no interest. Summed exactly, rounded once."""
    if invoice.kind != Invoice.Kind.INVOICE or as_of <= invoice.due_date:
        return ZERO, ZERO
    received = sorted(payments)
    outstanding = invoice.total_incl_tax - sum((amount for day, amount in received if day <= invoice.due_date),
                                               ZERO)
    if outstanding <= 0:
        return ZERO, ZERO
    euro_days, cursor = Decimal(0), invoice.due_date
    for day, amount in received:
        if day <= invoice.due_date:
            continue
        if day >= as_of:
            break
        euro_days += max(outstanding, ZERO) * (day - cursor).days
        outstanding, cursor = outstanding - amount, day
    euro_days += max(outstanding, ZERO) * (as_of - cursor).days
    return RECOVERY_INDEMNITY, money_round(euro_days * _late_interest_rate() / 100 / 365)


def _payments_by_day(*, invoice: Invoice) -> list[tuple[date, Decimal]]:
    """(business date of receipt, amount) of each payment of the invoice (uses a prefetch when present)."""
    return [(business_date(payment.received_at), payment.amount) for payment in invoice.payments.all()]


def _late_charges_apply(*, invoice: Invoice, today: date, exempt: bool | None = None) -> dict[str, str] | None:
    """Set the late charges of `invoice` (locked by the caller) to what the facts say on `today`
    (`late_charges_compute`); none for a customer under collective proceedings (`exempt`, looked up when None:
    `001_…` §5.5, SPEC R27). Returns the values before when they changed (for the audit event), else None."""
    if exempt is None:
        exempt = CollectiveProceedings.objects.filter(tenant_id=invoice.tenant_id, ended_at__isnull=True).exists()
    if exempt:
        indemnity, interest = ZERO, ZERO
    else:
        indemnity, interest = late_charges_compute(invoice=invoice, payments=_payments_by_day(invoice=invoice),
                                                   as_of=today)
    invoice.late_interest_until = today if today > invoice.due_date else None
    if (indemnity, interest) == (invoice.recovery_indemnity, invoice.late_interest):
        return None
    before = _late_charges_state(invoice)
    invoice.recovery_indemnity, invoice.late_interest = indemnity, interest
    return before


def _late_charges_state(invoice: Invoice) -> dict[str, str]:
    return {"recovery_indemnity": str(invoice.recovery_indemnity), "late_interest": str(invoice.late_interest)}


def _late_charges_audit_action(*, before: dict[str, str], invoice: Invoice) -> str:
    """`invoice.late_charges_applied` when they grew, `invoice.late_charges_reversed` when the facts (a payment
    received earlier than it was recorded) took some back."""
    grew = (invoice.recovery_indemnity + invoice.late_interest
            > Decimal(before["recovery_indemnity"]) + Decimal(before["late_interest"]))
    return "invoice.late_charges_applied" if grew else "invoice.late_charges_reversed"


def invoice_settlement_check(*, invoice: Invoice, received_on: date, today: date) -> Decimal:
    """The settlement rule shown on the billing page (SPEC R10): paying the balance shown on a day settles the
    invoice if the money is received within SETTLEMENT_GRACE_DAYS of that day, although interest kept running
    meanwhile: the interest of those days is waived (never the invoice amount nor the EUR 40 indemnity). So an
    invoice whose payments cover its amount, its indemnity and the interest due SETTLEMENT_GRACE_DAYS before the
    last payment's receipt date is settled. `invoice` is locked by the caller, its charges computed on `today`;
    returns the interest waived (zero when the rule does not apply; then nothing changes)."""
    if invoice.status != Invoice.Status.ISSUED or invoice.balance_due <= 0 or invoice.late_interest <= 0:
        return ZERO
    shown_on = max(received_on - timedelta(days=SETTLEMENT_GRACE_DAYS), invoice.due_date)
    _, interest_shown = late_charges_compute(invoice=invoice, payments=_payments_by_day(invoice=invoice),
                                             as_of=min(shown_on, today))
    interest_paid = invoice.amount_paid - invoice.total_incl_tax - invoice.recovery_indemnity
    if interest_paid < interest_shown:
        return ZERO
    waived = invoice.late_interest - interest_paid
    invoice.late_interest = interest_paid
    return waived


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
    under_proceedings = platform_tenant_ids_under_collective_proceedings()
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
        # A customer under collective proceedings bears no late charges (`001_…` §5.5, SPEC R27).
        late = list(unpaid.select_for_update(skip_locked=True, of=("self",)).filter(overdue_q(as_of=today))
                    .exclude(late_interest_until=today).exclude(tenant_id__in=under_proceedings)
                    .select_related("tenant").prefetch_related("payments")[:5000])
        changed, befores = [], []
        for invoice in late:
            before = _late_charges_apply(invoice=invoice, today=today, exempt=False)
            if before is not None:
                changed.append(invoice)
                befores.append(before)
        Invoice.objects.bulk_update(late, ["recovery_indemnity", "late_interest", "late_interest_until"])
        for action in ("invoice.late_charges_applied", "invoice.late_charges_reversed"):
            rows = [(i, b) for i, b in zip(changed, befores, strict=True)
                    if _late_charges_audit_action(before=b, invoice=i) == action]
            audit_record_many(action=action, targets=[i for i, _ in rows], tenants=[i.tenant_id for i, _ in rows],
                              befores=[b for _, b in rows],
                              afters=[{**_late_charges_state(i), "as_of": today.isoformat()} for i, _ in rows])
        result.late_charged = len(changed)
    # A cancelled tenant keeps its access until its paid-through date: it is suspended for an unpaid invoice
    # like an active one (GCS art. 4), and stays cancelled (`tenant_suspend`). A customer under collective
    # proceedings is never suspended automatically (SPEC R27).
    tenant_ids = set(unpaid.filter(suspension_due_at__lte=now).exclude(tenant_id__in=under_proceedings)
                     .filter(Q(tenant__state=Tenant.State.ACTIVE)
                             | Q(tenant__state=Tenant.State.CANCELLED, tenant__suspended_at__isnull=True))
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
