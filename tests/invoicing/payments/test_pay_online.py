"""The billing page's "what you owe", bank transfer details and "pay online" (issue 13 item 8; SPEC R9, R10): the
provider interface (`invoicing.payments.providers`), no link without a provider, the fake provider's checkout
paying through the signed webhook, and the page in French on acme and in English on demo."""

from __future__ import annotations

import http.client
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from invoicing import selectors, services
from invoicing.models import Invoice, Payment
from invoicing.payments.fake import fake_provider_serve
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.helpers import host_of
from tests.invoicing.helpers import paris, subscription_rows_for

SECRET = "whsec-pay-online"


def _admin_client(tenant: Tenant) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=f"admin@{tenant.slug}.test"))
    return client


def _two_invoices(tenant: Tenant, clock) -> tuple[Invoice, Invoice]:  # type: ignore[no-untyped-def]
    """The periods from 2026-01-15 and 2026-02-15, EUR 288.00 incl. tax each, issued on 2026-01-15 and 2026-02-13
    (in advance), due 30 days later; the clock is left on 2026-02-13, before the first due date."""
    subscription = subscription_rows_for(tenant, anchor=date(2026, 1, 15))
    clock(paris(2026, 1, 15, 9))
    first = services.invoice_issue(subscription=subscription)
    clock(paris(2026, 2, 13, 9))
    second = services.invoice_issue(subscription=subscription)
    return first, second


def _call(base: str, method: str, path: str, form: dict[str, str]) -> tuple[int, str, str]:
    """(status, Location, body) of one request to the fake provider, redirects not followed."""
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
    body = urlencode(form)
    if method == "GET":
        connection.request("GET", f"{path}?{body}")
    else:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    answer = (response.status, response.getheader("Location", ""), response.read().decode())
    connection.close()
    return answer


@pytest.fixture
def fake_provider(settings):  # type: ignore[no-untyped-def]
    settings.INVOICING_PAYMENT_PROVIDER = "fake"
    settings.INVOICING_PAYMENT_PROVIDER_URL = "https://pay.example/fake"
    settings.INVOICING_WEBHOOK_SECRET = SECRET


@pytest.mark.django_db
def test_what_is_owed_lists_each_unpaid_invoice_with_its_due_date_and_whether_it_is_late(demo, clock) -> None:
    first, second = _two_invoices(demo, clock)
    assert (first.number, first.due_date, first.total_incl_tax) == ("F2026-000001", date(2026, 2, 14),
                                                                    Decimal("288.00"))
    assert (second.number, second.due_date) == ("F2026-000002", date(2026, 3, 15))

    owed = selectors.tenant_amounts_owed(tenant=demo, as_of=date(2026, 2, 20))
    assert [(row.invoice.number, row.amount_due, row.due_date, row.overdue, row.days_late, row.due_today)
            for row in owed.invoices] == [("F2026-000001", Decimal("288.00"), date(2026, 2, 14), True, 6, False),
                                          ("F2026-000002", Decimal("288.00"), date(2026, 3, 15), False, 0, False)]
    assert (owed.total, owed.overdue, owed.next_due_date) == (Decimal("576.00"), Decimal("288.00"),
                                                              date(2026, 3, 15))
    # On its due date an invoice is due, not late (`due_q` / `overdue_q`).
    on_due_date = selectors.tenant_amounts_owed(tenant=demo, as_of=date(2026, 2, 14))
    assert [(row.overdue, row.due_today) for row in on_due_date.invoices] == [(False, True), (False, False)]
    assert on_due_date.next_due_date == date(2026, 2, 14)

    services.payment_record(invoice=first, amount="100.00")
    owed = selectors.tenant_amounts_owed(tenant=demo, as_of=date(2026, 2, 20))
    assert [row.amount_due for row in owed.invoices] == [Decimal("188.00"), Decimal("288.00")]
    services.payment_record(invoice=first, amount="188.00")
    services.payment_record(invoice=second, amount="288.00")
    owed = selectors.tenant_amounts_owed(tenant=demo, as_of=date(2026, 2, 20))
    assert (owed.invoices, owed.total, owed.overdue, owed.next_due_date) == ([], Decimal("0.00"),
                                                                           Decimal("0.00"), None)


@pytest.mark.django_db
def test_without_a_provider_the_page_shows_bank_details_and_no_pay_online_link(demo, clock, settings) -> None:
    settings.INVOICING_PAYMENT_PROVIDER = ""
    settings.INVOICING_BANK_ACCOUNT = {"holder": "MOOCit SAS", "iban": "FR76 3000 6000 0112 3456 7890 189",
                                       "bic": "BNPAFRPPXXX", "bank": "BNP Paribas, Orléans"}
    first, _second = _two_invoices(demo, clock)
    clock(paris(2026, 2, 20, 10))
    client = _admin_client(demo)
    page = " ".join(client.get("/billing/").content.decode().split())
    assert 'data-testid="owed-total">Total due: <strong>576.00 €</strong> including tax.' in page
    assert "288.00 € of it is overdue: please pay it now." in page and "Next due date: March 15, 2026." in page
    assert 'data-testid="due-state"><strong class="overdue">Overdue by 6 days</strong>' in page
    assert 'data-testid="due-state">Not due yet<' in page
    assert 'data-testid="due-date">Feb. 14, 2026<' in page
    assert 'data-testid="bank-holder">MOOCit SAS<' in page
    assert 'data-testid="bank-iban">FR76 3000 6000 0112 3456 7890 189<' in page
    assert 'data-testid="bank-bic">BNPAFRPPXXX<' in page
    assert 'data-testid="bank-reference">F2026-000001, F2026-000002<' in page
    assert "pay-online-" not in page and "Pay online" not in page
    # The pay address, typed by hand, says why there is nothing to pay online.
    answer = client.get(f"/billing/invoices/{first.pk}/pay/", follow=True)
    assert answer.redirect_chain == [("/billing/", 302)]
    assert "Online payment is not available: pay by bank transfer with the details below." in answer.content.decode()
    with pytest.raises(services.PaymentProviderMissingError):
        services.invoice_checkout_url(invoice=first, return_url="https://demo.example/billing/", language="en")


@pytest.mark.django_db
def test_the_provider_checkout_is_for_what_is_still_due_and_comes_back_to_the_billing_page(
        demo, acme, clock, fake_provider) -> None:
    first, second = _two_invoices(demo, clock)
    services.payment_record(invoice=first, amount="100.00")
    url = services.invoice_checkout_url(invoice=first, return_url="http://demo.localhost/billing/", language="en")
    assert url == ("https://pay.example/fake/checkout?invoice=F2026-000001&amount=188.00&currency=EUR"
                   "&return=http%3A%2F%2Fdemo.localhost%2Fbilling%2F&lang=en")

    client = _admin_client(demo)
    page = client.get("/billing/").content.decode()
    assert (f'href="/billing/invoices/{first.pk}/pay/" aria-label="Pay online — F2026-000001" '
            'data-testid="pay-online-F2026-000001">Pay online</a>') in page
    assert (f'href="/billing/invoices/{second.pk}/pay/" aria-label="Pay online — F2026-000002" '
            'data-testid="pay-online-F2026-000002">Pay online</a>') in page
    answer = client.get(f"/billing/invoices/{second.pk}/pay/")
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert answer["Location"].startswith("https://pay.example/fake/checkout?")
    assert query == {"invoice": ["F2026-000002"], "amount": ["288.00"], "currency": ["EUR"],
                     "return": [f"http://{host_of(demo)}/billing/"], "lang": ["en"]}

    services.payment_record(invoice=second, amount="288.00")  # paid: nothing left to pay online
    with pytest.raises(services.InvoiceStateError):
        services.invoice_checkout_url(invoice=Invoice.objects.get(pk=second.pk), return_url="x", language="en")
    paid = client.get(f"/billing/invoices/{second.pk}/pay/", follow=True).content.decode()
    assert "Invoice F2026-000002 has nothing left to pay." in paid
    # Another customer's administrator cannot start paying (or even see) this invoice.
    assert _admin_client(acme).get(f"/billing/invoices/{first.pk}/pay/").status_code == 404


@pytest.mark.django_db
def test_the_page_speaks_french_on_acme(acme, clock, fake_provider) -> None:
    _two_invoices(acme, clock)
    clock(paris(2026, 2, 20, 10))
    page = " ".join(_admin_client(acme).get("/billing/").content.decode().split())
    assert '<h2 id="owed">Ce que vous devez</h2>' in page
    assert "Total dû : <strong>576,00 €</strong> TTC." in page
    assert "288,00 € sont en retard : merci de les régler dès maintenant." in page
    assert "Prochaine échéance : 15 mars 2026." in page
    assert 'data-testid="due-state"><strong class="overdue">En retard de 6 jours</strong>' in page
    assert 'data-testid="due-date">14 février 2026<' in page
    assert "Payer en ligne" in page and "Payer par virement" in page and "Référence à indiquer" in page


def test_the_fake_provider_pays_through_the_signed_webhook(live_server_port, demo, clock, fake_provider,
                                                           settings) -> None:
    first, _second = _two_invoices(demo, clock)
    webhook = f"http://localhost:{live_server_port}/api/v1/payment-webhooks/provider/"
    with fake_provider_serve(webhook_url=webhook, secret=SECRET) as (base, handler):
        form = {"invoice": "F2026-000001", "amount": "288.00", "currency": "EUR", "lang": "fr",
                "return": "http://demo.localhost/billing/"}
        _status, _location, checkout = _call(base, "GET", "/checkout", form)
        assert "Facture F2026-000001 : 288.00 EUR." in checkout and "Payer 288.00 EUR" in checkout
        paid = _call(base, "POST", "/pay", form)
        assert paid[:2] == (303, "http://demo.localhost/billing/?payment=sent")
        assert [n["status"] for n in handler.notified] == [200]
        first.refresh_from_db()
        assert (first.status, first.amount_paid) == (Invoice.Status.PAID, Decimal("288.00"))
        payment = Payment.objects.get(invoice=first)
        assert (payment.method, payment.provider_reference) == (Payment.Method.PROVIDER,
                                                                handler.notified[0]["body"]["reference"])

    # A provider signing with another secret is refused by the webhook: nothing is recorded.
    with fake_provider_serve(webhook_url=webhook, secret="not-our-secret") as (base, handler):
        refused = _call(base, "POST", "/pay", {"invoice": "F2026-000002", "amount": "288.00", "currency": "EUR",
                                               "return": "http://x/"})
        assert refused[0] == 502 and [n["status"] for n in handler.notified] == [401]
    assert Invoice.objects.get(number="F2026-000002").status == Invoice.Status.ISSUED
