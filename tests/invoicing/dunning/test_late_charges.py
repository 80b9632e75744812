"""Late charges follow the facts (SPEC R10 — `001_…` art. 5.5, GCS art. 4): a payment counts from the day it was
received, however late it is recorded; interest runs per day on what is outstanding that day; paying the balance
shown settles the invoice though interest moved since; every change of the charges is audited; a cancelled tenant
that does not pay is dunned like an active one.

The invoice of every test: F2026-000001, EUR 288.00 incl. tax, due Sunday 15 March 2026, interest at 12.15 % a
year, i.e. EUR 288.00 × 12.15 % / 365 = EUR 0.0958… a day while unpaid."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import BillingPeriod, Invoice
from mooc_platform.accounts.models import User
from tenants.middleware import tenant_restriction
from tenants.models import AuditEvent, Tenant
from tests.invoicing.helpers import paris, sign, unique_slug


@pytest.fixture
def unpaid(quote_sent, clock, settings):
    """Signed on Friday 13 February 2026: F2026-000001, EUR 288.00, due Sunday 15 March 2026."""
    settings.INVOICING_LATE_INTEREST_ANNUAL_RATE = "12.15"
    clock(paris(2026, 2, 13, 9))
    result = sign(quote_sent())
    assert (str(result.invoice.due_date), result.invoice.total_incl_tax) == ("2026-03-15", Decimal("288.00"))
    return result


def _invoice(result) -> Invoice:
    return Invoice.objects.get(pk=result.invoice.pk)


def _dunning_on(clock, *days: tuple[int, int]) -> None:
    for month, day in days:
        clock(paris(2026, month, day, 6))
        services.dunning_run()


def _charges(invoice: Invoice) -> tuple[Decimal, Decimal, Decimal, str]:
    return invoice.recovery_indemnity, invoice.late_interest, invoice.balance_due, invoice.status


def _events(result, prefix: str = "invoice.late_") -> list[tuple[str, dict, dict]]:
    return [(e.action, e.before, e.after) for e in AuditEvent.objects.filter(
        target_type="Invoice", target_id=str(result.invoice.pk), action__startswith=prefix).order_by("id")]


@pytest.mark.parametrize(("received", "expected"), [
    # Received on the due date (23:59 Paris), recorded five days later: on time, nothing late about it.
    (paris(2026, 3, 15, 23, 59), (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), "paid")),
    # Received the next day (00:30 Paris, still 15 March in UTC): one day late, EUR 40 + one day of interest.
    (paris(2026, 3, 16, 0, 30), (Decimal("40.00"), Decimal("0.10"), Decimal("40.10"), "issued")),
])
def test_a_payment_recorded_late_counts_from_its_receipt_date(unpaid, clock, received, expected) -> None:
    _dunning_on(clock, (3, 15), (3, 16), (3, 20))
    assert _charges(_invoice(unpaid))[:2] == (Decimal("40.00"), Decimal("0.48"))  # 5 days × 288.00

    clock(paris(2026, 3, 20, 10))
    services.payment_record(invoice=unpaid.invoice, amount="288.00", received_at=received)
    assert _charges(_invoice(unpaid)) == expected
    last = _events(unpaid)[-1]
    assert last == ("invoice.late_charges_reversed", {"recovery_indemnity": "40.00", "late_interest": "0.48"},
                    {"recovery_indemnity": str(expected[0]), "late_interest": str(expected[1]),
                     "as_of": "2026-03-20", "payment_received_on": f"{received:%Y-%m-%d}"})

    _dunning_on(clock, (3, 21), (3, 25))  # nothing outstanding on the invoice amount: the charges stay put
    assert _charges(_invoice(unpaid)) == expected
    assert Tenant.objects.get(pk=unpaid.tenant.pk).state == Tenant.State.ACTIVE


def test_interest_runs_each_day_on_the_balance_outstanding_that_day(unpaid, clock) -> None:
    _dunning_on(clock, (3, 15), (3, 30))
    assert _charges(_invoice(unpaid))[:2] == (Decimal("40.00"), Decimal("1.44"))  # 15 days × 288.00

    clock(paris(2026, 3, 30, 12))
    services.payment_record(invoice=unpaid.invoice, amount="188.00")  # 30 March still bears interest on 288.00
    assert _charges(_invoice(unpaid)) == (Decimal("40.00"), Decimal("1.44"), Decimal("141.44"), "issued")

    _dunning_on(clock, (3, 31))  # + 1 day × 100.00: (15 × 288 + 100) × 12.15 % / 365 = 1.4713…
    assert _invoice(unpaid).late_interest == Decimal("1.47")
    _dunning_on(clock, (4, 14))  # (15 × 288 + 15 × 100) × 12.15 % / 365 = 1.9373…
    assert _charges(_invoice(unpaid)) == (Decimal("40.00"), Decimal("1.94"), Decimal("141.94"), "issued")

    clock(paris(2026, 4, 14, 12))
    services.payment_record(invoice=unpaid.invoice, amount="141.94")
    assert _charges(_invoice(unpaid)) == (Decimal("40.00"), Decimal("1.94"), Decimal("0.00"), "paid")


def test_late_charges_write_audit_events(unpaid, clock) -> None:
    _dunning_on(clock, (3, 15))
    assert _events(unpaid) == []  # due today: not late yet
    _dunning_on(clock, (3, 16), (3, 16), (3, 17))
    assert _events(unpaid) == [
        ("invoice.late_charges_applied", {"recovery_indemnity": "0.00", "late_interest": "0.00"},
         {"recovery_indemnity": "40.00", "late_interest": "0.10", "as_of": "2026-03-16"}),
        ("invoice.late_charges_applied", {"recovery_indemnity": "40.00", "late_interest": "0.10"},
         {"recovery_indemnity": "40.00", "late_interest": "0.19", "as_of": "2026-03-17"}),
    ]
    event = AuditEvent.objects.filter(action="invoice.late_charges_applied").first()
    assert event.tenant_id == unpaid.tenant.pk


@pytest.mark.parametrize(("received_day", "expected"), [
    # Within 7 days of the balance shown on 30 March: settled, the interest of 31 March – 6 April waived.
    (6, (Decimal("40.00"), Decimal("1.44"), Decimal("0.00"), "paid")),
    # 8 days later the balance shown has to be 7 days old at most: 31 March's (interest 1.53) was not paid.
    (7, (Decimal("40.00"), Decimal("2.20"), Decimal("0.76"), "issued")),
])
def test_paying_the_balance_shown_settles_the_invoice_though_interest_moved_since(
        unpaid, clock, received_day, expected) -> None:
    _dunning_on(clock, (3, 15), (3, 30))
    invoice = _invoice(unpaid)
    assert invoice.balance_due == Decimal("329.44")  # what the billing page shows on 30 March
    assert Tenant.objects.get(pk=unpaid.tenant.pk).state == Tenant.State.SUSPENDED

    _dunning_on(clock, *[(3, 31)] + [(4, day) for day in range(1, received_day)])
    clock(paris(2026, 4, received_day, 10))
    services.payment_record(invoice=unpaid.invoice, amount="329.44")
    assert _charges(_invoice(unpaid)) == expected
    tenant = Tenant.objects.get(pk=unpaid.tenant.pk)
    if expected[3] == "paid":
        assert tenant.state == Tenant.State.ACTIVE
        # 22 days × 288.00 = 2.11 computed, 1.44 paid: 0.67 waived by the rule.
        assert _events(unpaid, "invoice.late_interest_waived") == [(
            "invoice.late_interest_waived", {"late_interest": "2.11"},
            {"late_interest": "1.44", "waived": "0.67", "rule": "balance shown within 7 days"})]
    else:
        assert tenant.state == Tenant.State.SUSPENDED
        assert _events(unpaid, "invoice.late_interest_waived") == []


@pytest.mark.parametrize(("language", "balance", "rule"), [
    ("en", "329.44 €", "Late interest runs until your payment reaches us. Paying the balance shown, 329.44 €, settles "
                       "your invoices if we receive it by April 6, 2026: the interest of the days in between is waived "
                       "(the 40 € recovery indemnity is not)."),
    ("fr", "329,44 €", "Les intérêts de retard courent jusqu’à la réception de votre paiement. Le solde affiché, "
                       "329,44 €, règle vos factures s’il nous parvient au plus tard le 6 avril 2026 : les intérêts "
                       "des jours écoulés entre-temps sont abandonnés (pas l’indemnité forfaitaire de recouvrement "
                       "de 40 €)."),
])
def test_the_billing_page_states_the_settlement_rule(unpaid, clock, language, balance, rule) -> None:
    _dunning_on(clock, (3, 15), (3, 30))
    clock(paris(2026, 3, 30, 10))
    tenant = unpaid.tenant
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    with schema_context(tenant.schema_name):
        admin = User.objects.get(email=unpaid.subscription.buyer_email)
        admin.language = language
        admin.save(update_fields=["language"])
        client.force_login(admin)
    page = client.get("/billing/")
    connection.set_schema_to_public()
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert f'data-testid="balance">{balance}' in text
    assert f'<p data-testid="settlement-rule">{rule}</p>' in text

    services.payment_record(invoice=unpaid.invoice, amount="329.44")
    assert 'data-testid="settlement-rule"' not in client.get("/billing/").content.decode()  # nothing late
    connection.set_schema_to_public()


@pytest.fixture
def annual_plan(db):
    return services.plan_create(code=unique_slug("annual"), name="Campus", billing_period=BillingPeriod.ANNUAL,
                                flat_amount=Decimal("1200.00"), now=paris(2020, 1, 1))


def test_a_cancelled_tenant_that_does_not_pay_is_dunned_and_suspended_like_an_active_one(
        quote_sent, annual_plan, clock, settings) -> None:
    """Annual plan: the first year is paid (access until 13 February 2027), the invoice of the second year was
    issued early (EUR 1,440.00, due 22 March 2026) and is not paid; the customer cancels on 1 March. It keeps its
    access to the end of the year paid, but the unpaid invoice is chased like an active customer's: reminder,
    formal notice, late charges, and suspension 15 days after the notice (GCS art. 4); it stays cancelled."""
    settings.INVOICING_LATE_INTEREST_ANNUAL_RATE = "12.15"
    clock(paris(2026, 2, 13, 9))
    signed = sign(quote_sent(plan_=annual_plan))
    services.payment_record(invoice=signed.invoice, amount="1440.00")
    clock(paris(2026, 2, 20, 9))
    second = services.invoice_issue(subscription=signed.subscription)
    assert (second.total_incl_tax, str(second.due_date)) == (Decimal("1440.00"), "2026-03-22")
    clock(paris(2026, 3, 1, 9))
    services.subscription_cancel(subscription=signed.subscription)
    tenant = Tenant.objects.get(pk=signed.tenant.pk)
    assert (tenant.state, tenant.access_ends_at) == (Tenant.State.CANCELLED, paris(2027, 2, 13))

    clock(paris(2026, 3, 15, 6))
    assert services.dunning_run().reminders == 1
    clock(paris(2026, 3, 22, 6))
    assert services.dunning_run().formal_notices == 1
    clock(paris(2026, 4, 6, 5, 59))
    assert services.dunning_run().suspended == []
    assert Invoice.objects.get(pk=second.pk).late_interest == Decimal("7.19")  # 15 days × 1,440.00
    clock(paris(2026, 4, 6, 6))
    assert services.dunning_run().suspended == [signed.tenant.slug]

    tenant = Tenant.objects.get(pk=signed.tenant.pk)
    assert (tenant.state, tenant.suspended_at, tenant.suspension_reason) == (
        Tenant.State.CANCELLED, paris(2026, 4, 6, 6), "non-payment")
    assert tenant.access_ends_at == paris(2027, 2, 13)  # still cancelled, with its dates
    assert tenant_restriction(tenant)[0] == "tenant_suspended"
    assert AuditEvent.objects.filter(tenant=tenant, action="tenant.suspended").count() == 1
    clock(paris(2026, 4, 7, 6))
    assert services.dunning_run().suspended == []  # once
