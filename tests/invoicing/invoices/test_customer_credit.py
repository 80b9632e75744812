"""A credit note on a paid invoice does not strand the payment (issue 9 item 13): it becomes a credit on the
customer's balance, which the next invoice uses (SPEC R8, R9)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing import selectors, services
from invoicing.models import CustomerCredit, Invoice, Payment
from tenants.models import AuditEvent
from tests.conftest import api_client, api_token
from tests.invoicing.conftest import paris, sign


@pytest.fixture
def signed(quote_sent, clock):
    clock(paris(2026, 1, 15, 9))
    return sign(quote_sent())  # F2026-000001, EUR 288.00


def test_the_payment_of_a_credited_invoice_pays_the_next_invoice(signed, clock) -> None:
    services.payment_record(invoice=signed.invoice, amount="288.00")
    clock(paris(2026, 1, 20, 9))
    note = services.credit_note_issue(invoice=signed.invoice, reason="Wrong seat count")
    credit = CustomerCredit.objects.get(credit_note=note)
    assert (credit.amount, credit.remaining, credit.tenant_id) == (Decimal("288.00"), Decimal("288.00"),
                                                                   signed.tenant.pk)
    assert selectors.tenant_credit(tenant=signed.tenant) == Decimal("288.00")
    assert AuditEvent.objects.filter(action="customer_credit.created", tenant=signed.tenant).count() == 1
    operator = api_client("localhost", api_token("localhost", "operator@demo.test"))
    customer = operator.get(f"/api/v1/customers/{signed.tenant.pk}/").json()
    assert (customer["credit"], customer["balance_due"]) == ("288.00", "0.00")

    clock(paris(2026, 2, 15, 6))
    assert services.billing_run().numbers == ["F2026-000002"]
    second = Invoice.objects.get(number="F2026-000002")
    assert (second.status, second.amount_paid, second.balance_due) == ("paid", Decimal("288.00"), Decimal("0.00"))
    assert list(second.payments.values_list("method", "amount")) == [(Payment.Method.CREDIT, Decimal("288.00"))]
    assert CustomerCredit.objects.get(pk=credit.pk).remaining == Decimal("0.00")
    clock(paris(2026, 3, 20, 6))
    assert services.dunning_run().formal_notices == 0


def test_a_partial_payment_credited_pays_part_of_the_next_invoice_once(signed, clock) -> None:
    services.payment_record(invoice=signed.invoice, amount="100.00")
    services.credit_note_issue(invoice=signed.invoice, reason="Cancelled order")
    clock(paris(2026, 2, 15, 6))
    services.billing_run()
    second = Invoice.objects.get(number="F2026-000002")
    assert (second.status, second.amount_paid, second.balance_due) == ("issued", Decimal("100.00"),
                                                                       Decimal("188.00"))
    clock(paris(2026, 3, 15, 6))
    services.billing_run()
    third = Invoice.objects.get(number="F2026-000003")
    assert (third.amount_paid, selectors.tenant_credit(tenant=signed.tenant)) == (Decimal("0.00"), Decimal("0.00"))


def test_a_credit_note_on_an_unpaid_invoice_leaves_no_credit(signed) -> None:
    note = services.credit_note_issue(invoice=signed.invoice, reason="Commercial gesture")
    assert not CustomerCredit.objects.filter(credit_note=note).exists()
    assert selectors.tenant_credit(tenant=signed.tenant) == Decimal("0.00")
