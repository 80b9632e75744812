"""Dunning: reminder, formal notice, late charges, suspension 15 days after the notice, reinstatement on
full payment (SPEC R10 — GCS art. 4, `001_…` art. 5.5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from invoicing import services
from invoicing.models import Invoice
from tenants.models import Tenant
from tests.invoicing.helpers import paris, sign


@pytest.fixture
def unpaid(quote_sent, clock):
    """Signed on Friday 13 February 2026: invoice F2026-000001, EUR 288.00, due Sunday 15 March 2026."""
    clock(paris(2026, 2, 13, 9))
    result = sign(quote_sent())
    assert str(result.invoice.due_date) == "2026-03-15"
    return result


def _tenant(result) -> Tenant:
    return Tenant.objects.get(pk=result.tenant.pk)


def test_reminder_goes_out_7_days_before_the_due_date_once(unpaid, clock,
                                                           django_capture_on_commit_callbacks) -> None:
    clock(paris(2026, 3, 7, 23, 59))
    assert services.dunning_run().reminders == 0
    clock(paris(2026, 3, 8, 6))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.dunning_run().reminders == 1
        assert services.dunning_run().reminders == 0
    assert [m.subject for m in mail.outbox] == ["Rappel : facture F2026-000001 à régler avant le 15 mars 2026"]


def test_unpaid_invoice_suspends_tenant_exactly_15_days_after_formal_notice(
        unpaid, clock, django_capture_on_commit_callbacks) -> None:
    clock(paris(2026, 3, 14, 23, 59))
    assert services.dunning_run().formal_notices == 0
    clock(paris(2026, 3, 15, 6))  # due date: formal notice (CET)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.dunning_run().formal_notices == 1
    assert [m.subject for m in mail.outbox] == ["Mise en demeure de payer la facture F2026-000001"]
    assert "quarante euros (40,00 €)" in mail.outbox[0].body
    invoice = Invoice.objects.get(pk=unpaid.invoice.pk)
    # 15 days on the Paris wall clock, across the switch to summer time (29 March).
    assert invoice.suspension_due_at == paris(2026, 3, 30, 6)

    clock(paris(2026, 3, 30, 5, 59))
    assert services.dunning_run().suspended == []
    assert _tenant(unpaid).state == Tenant.State.ACTIVE

    clock(paris(2026, 3, 30, 6, 0))
    assert services.dunning_run().suspended == [unpaid.tenant.slug]
    tenant = _tenant(unpaid)
    assert (tenant.state, tenant.suspension_reason) == (Tenant.State.SUSPENDED, "non-payment")


def test_late_invoice_bears_the_40_eur_indemnity_and_interest(unpaid, clock, settings) -> None:
    settings.INVOICING_LATE_INTEREST_ANNUAL_RATE = "12.15"
    clock(paris(2026, 3, 15, 6))
    services.dunning_run()
    invoice = Invoice.objects.get(pk=unpaid.invoice.pk)
    assert (invoice.recovery_indemnity, invoice.late_interest) == (Decimal("0.00"), Decimal("0.00"))  # not late yet

    clock(paris(2026, 3, 30, 6))  # 15 days late: 288.00 × 12.15 % × 15 / 365 = 1.44
    services.dunning_run()
    invoice.refresh_from_db()
    assert invoice.recovery_indemnity == Decimal("40.00")
    assert invoice.late_interest == Decimal("1.44")
    assert invoice.balance_due == Decimal("329.44")
    assert "quarante euros (40,00 €)" in invoice.legal_mentions
    assert "forty euros (EUR 40.00)" in invoice.legal_mentions


def test_partial_payment_does_not_reinstate_and_full_payment_does(unpaid, clock) -> None:
    clock(paris(2026, 3, 15, 6))
    services.dunning_run()
    clock(paris(2026, 3, 30, 6))
    services.dunning_run()
    assert _tenant(unpaid).state == Tenant.State.SUSPENDED

    services.payment_record(invoice=unpaid.invoice, amount="288.00")
    assert _tenant(unpaid).state == Tenant.State.SUSPENDED  # indemnity and interest still due
    invoice = Invoice.objects.get(pk=unpaid.invoice.pk)
    assert (invoice.status, invoice.balance_due) == (Invoice.Status.ISSUED, Decimal("41.44"))

    services.payment_record(invoice=unpaid.invoice, amount="41.44")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_due) == (Invoice.Status.PAID, Decimal("0.00"))
    assert _tenant(unpaid).state == Tenant.State.ACTIVE


def test_invoice_paid_on_its_due_date_after_the_formal_notice_never_suspends(unpaid, clock) -> None:
    clock(paris(2026, 3, 15, 6))
    services.dunning_run()
    clock(paris(2026, 3, 15, 18))
    services.payment_record(invoice=unpaid.invoice, amount="288.00")
    assert Invoice.objects.get(pk=unpaid.invoice.pk).status == Invoice.Status.PAID
    clock(paris(2026, 4, 2, 6))
    assert services.dunning_run().suspended == []
    assert _tenant(unpaid).state == Tenant.State.ACTIVE


def test_invoice_not_yet_due_never_suspends(unpaid, clock) -> None:
    clock(paris(2026, 3, 14, 12))  # the next invoice (13 March) is unpaid too, but not due
    result = services.dunning_run()
    assert (result.formal_notices, result.suspended) == (0, [])
    assert _tenant(unpaid).state == Tenant.State.ACTIVE


def test_credit_note_is_a_negated_copy_and_settles_the_invoice(unpaid, clock) -> None:
    clock(paris(2026, 2, 20, 9))
    note = services.credit_note_issue(invoice=unpaid.invoice, reason="Commercial gesture")
    assert note.number == "A2026-000001"
    assert (note.total_excl_tax, note.total_vat, note.total_incl_tax) == (
        Decimal("-240.00"), Decimal("-48.00"), Decimal("-288.00"))
    assert [line.amount for line in note.lines.all()] == [Decimal("-100.00"), Decimal("-140.00")]
    assert Invoice.objects.get(pk=unpaid.invoice.pk).status == Invoice.Status.CREDITED
    with pytest.raises(services.InvoiceStateError):
        services.credit_note_issue(invoice=unpaid.invoice, reason="twice")


def test_cancellation_hands_the_paid_through_date_to_the_lifecycle(unpaid, clock) -> None:
    clock(paris(2026, 2, 20, 9))
    services.subscription_cancel(subscription=unpaid.subscription)
    tenant = _tenant(unpaid)
    assert tenant.state == Tenant.State.CANCELLED
    # Nothing paid yet: access ends now, not at the end of the period invoiced (GCS art. 3 "already paid by him").
    assert tenant.access_ends_at == paris(2026, 2, 20, 9)
    with pytest.raises(services.SubscriptionStateError):
        services.subscription_cancel(subscription=unpaid.subscription)
    clock(paris(2026, 2, 25, 9))
    services.payment_record(invoice=unpaid.invoice, amount="288.00")  # the invoice stands: paid, the period opens
    tenant = _tenant(unpaid)
    assert (tenant.state, tenant.access_ends_at) == (Tenant.State.CANCELLED, paris(2026, 3, 13, 0))
