"""Operator console (Django admin at /console/): pages load, actions call the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from invoicing import services
from invoicing.models import Invoice, Payment, Quote
from tenants.models import Tenant
from tests.helpers import console_client
from tests.invoicing.helpers import paris, sign


@pytest.fixture
def console(db: None) -> Client:
    return console_client()


def test_console_pages_of_the_invoicing_models_load(console, quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    for url in ("/console/invoicing/plan/", "/console/invoicing/planprice/add/", "/console/invoicing/quote/",
                "/console/quotes/new/", f"/console/invoicing/quote/{result.subscription.quote_id}/change/",
                "/console/invoicing/subscription/", "/console/invoicing/invoice/",
                f"/console/invoicing/invoice/{result.invoice.pk}/change/",
                f"/console/invoices/{result.invoice.pk}/payment/",
                "/console/invoicing/quotesignature/"):
        assert console.get(url).status_code == 200, url


def test_console_creates_and_sends_a_quote(console, plan, django_capture_on_commit_callbacks, mailoutbox) -> None:
    response = console.post("/console/quotes/new/", {
        "plan": plan.pk, "organisation_name": "IUT d'Orléans", "billing_address": "Orléans", "country": "FR",
        "vat_number": "", "contact_name": "Marc", "contact_email": "marc@iut.example", "language": "fr",
        "wished_slug": "iut-orleans", "seats": 10, "valid_until": "2099-01-01", "initial_term_months": 12})
    assert response.status_code == 302
    quote = Quote.objects.get(wished_slug="iut-orleans")
    assert sum(line.amount for line in quote.lines.all()) == Decimal("128.00")
    with django_capture_on_commit_callbacks(execute=True):
        console.post(f"/console/quotes/{quote.pk}/send/")
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT
    assert "/quotes/sign/" in mailoutbox[-1].body


def test_console_records_a_transfer_that_reinstates_a_suspended_tenant(console, quote_sent, clock) -> None:
    clock(paris(2026, 2, 13, 9))
    result = sign(quote_sent())
    clock(paris(2026, 3, 15, 6))
    services.dunning_run()
    clock(paris(2026, 3, 30, 6))
    services.dunning_run()
    assert Tenant.objects.get(pk=result.tenant.pk).state == Tenant.State.SUSPENDED

    console.post(f"/console/invoices/{result.invoice.pk}/payment/", {"amount": "329.44"})

    assert Payment.objects.get(invoice=result.invoice).amount == Decimal("329.44")
    assert Tenant.objects.get(pk=result.tenant.pk).state == Tenant.State.ACTIVE


def test_console_issues_a_credit_note(console, quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    console.post(f"/console/invoices/{result.invoice.pk}/credit-note/", {"reason": "Wrong seats"})
    assert Invoice.objects.get(credited_invoice=result.invoice).number == "A2026-000001"


def test_console_never_edits_an_issued_invoice(console, quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    console.post(f"/console/invoicing/invoice/{result.invoice.pk}/change/", {"total_excl_tax": "1.00"})
    assert Invoice.objects.get(pk=result.invoice.pk).total_excl_tax == Decimal("240.00")


def test_invoicing_the_next_period_from_the_list_asks_first(console, quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    subscription = result.subscription
    before = Invoice.objects.filter(subscription=subscription).count()
    action = {"action": "invoice_next_period", "_selected_action": [str(subscription.pk)]}

    asked = console.post("/console/invoicing/subscription/", action)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Each of these 1 subscriptions gets its next period&#x27;s invoice today" in page
    assert str(subscription) in page and 'name="confirmed" value="yes"' in page
    assert Invoice.objects.filter(subscription=subscription).count() == before  # nothing issued yet

    done = console.post("/console/invoicing/subscription/", {**action, "confirmed": "yes"}, follow=True)
    assert Invoice.objects.filter(subscription=subscription).count() == before + 1
    assert "Invoices issued: 1" in done.content.decode()
