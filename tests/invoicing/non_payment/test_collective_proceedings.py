"""A customer under collective proceedings (safeguard, receivership, liquidation — `001_…` §5.5) bears no late
charges and is neither suspended nor terminated automatically; an operator records it from the console after a
confirmation page, audited with the operator and the client address (SPEC R27)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing import services
from invoicing.models import CollectiveProceedings, Invoice, NonPaymentTerminationWarning
from tenants.models import AuditEvent, Tenant
from tests.helpers import console_client
from tests.invoicing.helpers import paris, sign

IP = "203.0.113.44"


@pytest.fixture
def unpaid(quote_sent, clock):
    """Signed on Friday 13 February 2026: F2026-000001, EUR 288.00, due 15/03; formal notice that day,
    suspension due 30/03 06:00 Paris."""
    clock(paris(2026, 2, 13, 9))
    result = sign(quote_sent())
    clock(paris(2026, 3, 15, 6))
    services.dunning_run()
    return result


def _tenant(result) -> Tenant:
    return Tenant.objects.get(pk=result.tenant.pk)


def _invoice(result) -> Invoice:
    return Invoice.objects.get(pk=result.invoice.pk)


def test_the_console_records_proceedings_after_stating_the_consequence(unpaid, clock) -> None:
    clock(paris(2026, 3, 20, 10))
    services.dunning_run()
    assert _invoice(unpaid).recovery_indemnity == Decimal("40.00") and _invoice(unpaid).late_interest > 0
    console = console_client(REMOTE_ADDR=IP)
    url = f"/console/organisations/{unpaid.tenant.pk}/proceedings-open/"
    page = console.get(url).content.decode()
    assert f"From now on {unpaid.tenant.name} bears no late charges" in page
    refused = console.post(url, {"kind": "bankruptcy"})
    assert refused.status_code == 400 and not CollectiveProceedings.objects.exists()
    done = console.post(url, {"kind": "receivership", "reference": "TC Orléans 2026-0042"})
    assert done.status_code == 302
    proceedings = CollectiveProceedings.objects.get(tenant=unpaid.tenant)
    assert (proceedings.kind, proceedings.reference, proceedings.started_by_email) == (
        "receivership", "TC Orléans 2026-0042", "operator@demo.test")
    opened = AuditEvent.objects.get(action="customer.collective_proceedings_opened", tenant=unpaid.tenant)
    assert (opened.actor_email, opened.ip_address, opened.after["kind"]) == ("operator@demo.test", IP, "receivership")
    invoice = _invoice(unpaid)
    assert (invoice.recovery_indemnity, invoice.late_interest) == (Decimal("0.00"), Decimal("0.00"))
    assert AuditEvent.objects.filter(action="invoice.late_charges_reversed", tenant=unpaid.tenant).count() == 1
    detail = console.get(f"/console/organisations/{unpaid.tenant.pk}/").content.decode()
    assert "Under collective proceedings (Receivership)" in detail and "TC Orléans 2026-0042" in detail

    twice = console.post(url, {"kind": "safeguard"})
    assert twice.status_code == 409 and "already under collective proceedings" in twice.content.decode()

    # No late charges and no suspension while the proceedings run, even past the suspension date.
    clock(paris(2026, 4, 10, 6))
    result = services.dunning_run()
    assert result.suspended == [] and result.late_charged == 0
    invoice = _invoice(unpaid)
    assert (invoice.recovery_indemnity, invoice.late_interest) == (Decimal("0.00"), Decimal("0.00"))
    services.payment_record(invoice=invoice, amount=Decimal("100.00"))  # a payment does not bring them back
    invoice = _invoice(unpaid)
    assert (invoice.recovery_indemnity, invoice.late_interest, invoice.balance_due) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("188.00"))
    assert _tenant(unpaid).state == Tenant.State.ACTIVE

    # The end of the proceedings: the ordinary rules again, from the facts.
    console = console_client(REMOTE_ADDR=IP)  # the session of 20/03 has long expired
    close_url = f"/console/organisations/{unpaid.tenant.pk}/proceedings-close/"
    assert "The ordinary rules apply again" in console.get(close_url).content.decode()
    assert console.post(close_url, {}).status_code == 302
    assert AuditEvent.objects.get(action="customer.collective_proceedings_closed").ip_address == IP
    clock(paris(2026, 4, 11, 6))
    result = services.dunning_run()
    assert result.suspended == [unpaid.tenant.slug]
    assert _invoice(unpaid).recovery_indemnity == Decimal("40.00")
    again = console_client(REMOTE_ADDR=IP).post(close_url, {})
    assert again.status_code == 409 and "not under collective proceedings" in again.content.decode()


def test_a_suspended_customer_under_proceedings_is_neither_warned_nor_terminated(unpaid, clock) -> None:
    clock(paris(2026, 3, 30, 6))
    assert services.dunning_run().suspended == [unpaid.tenant.slug]
    services.collective_proceedings_open(tenant=unpaid.tenant, kind="safeguard", actor=None)
    clock(paris(2026, 6, 30, 6))  # well past 60 days
    report = services.contract_deadlines_run()
    assert (report.non_payment.warned, report.non_payment.terminated) == ([], [])
    assert not NonPaymentTerminationWarning.objects.exists()
    assert _tenant(unpaid).state == Tenant.State.SUSPENDED  # the suspension stays until an operator lifts it


def test_the_console_timeline_shows_the_termination_ahead(unpaid, clock) -> None:
    clock(paris(2026, 3, 30, 6))
    services.dunning_run()
    clock(paris(2026, 4, 2, 9))
    page = console_client().get(f"/console/organisations/{unpaid.tenant.pk}/").content.decode()
    assert "Last warning e-mail before termination for non-payment" in page
    assert "Termination for non-payment unless everything due is paid" in page
    assert "05/14/2026" in page and "05/29/2026" in page  # 45 and 60 days after 30/03
