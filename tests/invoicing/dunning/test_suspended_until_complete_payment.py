"""Suspended until the complete payment of the sums due, whatever else happened (SPEC R10 — GCS art. 4): a
tenant suspended for non-payment that cancels gets its cancelled-with-access state back once everything due is
paid; an invoice due today is due, for reinstatement and for resubscription alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing import selectors, services
from invoicing.models import Invoice
from tenants.middleware import tenant_restriction
from tenants.models import Tenant
from tests.invoicing.conftest import paris, sign


@pytest.fixture
def suspended(quote_sent, clock):
    """Signed on Friday 13 February 2026: F2026-000001 (EUR 288.00, due 15/03); the billing run of 13/03 issues
    F2026-000002 for 13/03–12/04 (EUR 288.00, due 12/04); formal notice 15/03, suspended 30/03 06:00 Paris."""
    clock(paris(2026, 2, 13, 9))
    result = sign(quote_sent())
    clock(paris(2026, 3, 13, 6))
    assert services.billing_run().numbers == ["F2026-000002"]
    clock(paris(2026, 3, 15, 6))
    services.dunning_run()
    clock(paris(2026, 3, 30, 6))
    assert services.dunning_run().suspended == [result.tenant.slug]
    return result


def _invoices(result) -> tuple[Invoice, Invoice]:
    first, second = Invoice.objects.filter(subscription=result.subscription).order_by("sequence")
    assert (first.number, second.number, second.due_date) == ("F2026-000001", "F2026-000002", date(2026, 4, 12))
    return first, second


def _pay_in_full(invoice: Invoice) -> None:
    """Late charges brought up to today first, then the whole balance paid."""
    services.dunning_run()
    invoice.refresh_from_db()
    services.payment_record(invoice=invoice, amount=invoice.balance_due)
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID


def test_suspended_then_cancelled_tenant_gets_its_access_back_when_everything_due_is_paid(suspended, clock) -> None:
    clock(paris(2026, 3, 31, 10))
    services.subscription_cancel(subscription=suspended.subscription)
    tenant = Tenant.objects.get(pk=suspended.tenant.pk)
    assert (tenant.state, tenant.suspension_reason) == (Tenant.State.CANCELLED, "non-payment")
    assert tenant_restriction(tenant)[0] == "tenant_suspended"  # cancelling is no way out of a suspension

    clock(paris(2026, 4, 1, 10))
    first, second = _invoices(suspended)
    _pay_in_full(first)
    _pay_in_full(second)

    tenant = Tenant.objects.get(pk=suspended.tenant.pk)
    assert (tenant.state, tenant.suspended_at, tenant.suspension_reason) == (Tenant.State.CANCELLED, None, "")
    assert tenant.access_ends_at == paris(2026, 4, 13, 0)  # the end of the period now paid
    assert tenant_restriction(tenant) is None


def test_an_invoice_due_today_keeps_the_tenant_suspended_until_it_is_paid(suspended, clock) -> None:
    clock(paris(2026, 4, 12, 10))  # F2026-000002 is due today
    first, second = _invoices(suspended)
    _pay_in_full(first)
    assert Tenant.objects.get(pk=suspended.tenant.pk).state == Tenant.State.SUSPENDED
    _pay_in_full(second)
    assert Tenant.objects.get(pk=suspended.tenant.pk).state == Tenant.State.ACTIVE


def test_an_invoice_not_due_yet_does_not_keep_the_tenant_suspended(suspended, clock) -> None:
    clock(paris(2026, 4, 11, 23, 59))  # F2026-000002 falls due tomorrow
    first, _ = _invoices(suspended)
    _pay_in_full(first)
    assert Tenant.objects.get(pk=suspended.tenant.pk).state == Tenant.State.ACTIVE


def test_an_invoice_due_today_refuses_a_resubscription_as_it_refuses_a_reinstatement(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    signed = sign(quote_sent())  # F2026-000001, due Saturday 14 February 2026
    services.subscription_cancel(subscription=signed.subscription)
    clock(paris(2026, 2, 14, 9))
    with pytest.raises(services.OverdueBalanceError) as refused:
        services.subscription_resubscribe(tenant=signed.tenant, accept_terms=True, actor=None)
    assert (refused.value.code, refused.value.details) == ("overdue_balance", {"invoices": ["F2026-000001"]})
    assert Tenant.objects.get(pk=signed.tenant.pk).state == Tenant.State.CANCELLED
    services.payment_record(invoice=signed.invoice, amount="288.00")
    assert services.subscription_resubscribe(tenant=signed.tenant, accept_terms=True,
                                             actor=None).invoice.number == "F2026-000002"


def test_due_and_overdue_are_defined_once(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    signed = sign(quote_sent())  # due 14/02/2026
    mine = Invoice.objects.filter(tenant=signed.tenant)
    assert list(selectors.invoices_due(as_of=date(2026, 2, 13)).filter(tenant=signed.tenant)) == []
    assert list(selectors.invoices_due(as_of=date(2026, 2, 14)).filter(tenant=signed.tenant)) == [signed.invoice]
    assert list(selectors.invoices_overdue(as_of=date(2026, 2, 14)).filter(tenant=signed.tenant)) == []
    assert list(selectors.invoices_overdue(as_of=date(2026, 2, 15)).filter(tenant=signed.tenant)) == [signed.invoice]
    assert mine.get().balance_due == Decimal("288.00")
