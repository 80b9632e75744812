"""Browser (real Chromium): an administrator of acme (French) sees an open invoice on the billing page, clicks
"pay online", pays on the fake provider's checkout, whose signed notification marks the invoice paid, and comes back
to a billing page that shows it paid; demo's administrator (English) sees a late invoice with the bank details. At
1366 px and 375 px, without horizontal scrolling (screenshots in SCREENSHOT_DIR, default /tmp)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import Invoice, Payment
from invoicing.payments.fake import fake_provider_serve
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.helpers import host_of
from tests.invoicing.helpers import paris, subscription_rows_for

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp"))
SECRET = "whsec-browser-pay-online"


def _open_invoice(tenant: Tenant, clock: Any) -> Invoice:
    """F2026-000001, EUR 288.00 incl. tax, issued 2026-01-15, due 2026-02-14."""
    subscription = subscription_rows_for(tenant, anchor=date(2026, 1, 15))
    clock(paris(2026, 1, 15, 9))
    return services.invoice_issue(subscription=subscription)


def _signed_in_page(browser: Any, tenant: Tenant, width: int) -> tuple[Any, Any]:
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=f"admin@{tenant.slug}.test"))
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(30_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "domain": host_of(tenant), "path": "/"}])
    return context, context.new_page()


def _fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_administrator_pays_an_open_invoice_online_and_sees_it_paid(live_server_port, browser, acme, clock,
                                                                        settings) -> None:
    settings.INVOICING_PAYMENT_PROVIDER = "fake"
    settings.INVOICING_WEBHOOK_SECRET = SECRET
    invoice = _open_invoice(acme, clock)
    clock(paris(2026, 2, 10, 10))
    webhook = f"http://localhost:{live_server_port}/api/v1/payment-webhooks/provider/"
    billing = f"http://{host_of(acme)}:{live_server_port}/billing/"
    with fake_provider_serve(webhook_url=webhook, secret=SECRET) as (provider_url, provider):
        settings.INVOICING_PAYMENT_PROVIDER_URL = provider_url
        context, page = _signed_in_page(browser, acme, 1366)
        try:
            page.goto(billing)
            row = page.get_by_test_id("open-invoice-F2026-000001")
            assert row.get_by_test_id("amount-due").inner_text() == "288,00 €"
            assert row.get_by_test_id("due-date").inner_text() == "14 février 2026"
            assert row.get_by_test_id("due-state").inner_text() == "Pas encore échue"
            assert page.get_by_test_id("owed-total").inner_text() == (
                "Total dû : 288,00 € TTC. Prochaine échéance : 14 février 2026.")
            assert page.get_by_test_id("bank-reference").inner_text() == "F2026-000001"
            for width in (1366, 375):
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(SHOTS / f"billing-pay-online-fr-{width}.png"), full_page=True)
                assert _fits(page), width
            page.set_viewport_size({"width": 1366, "height": 900})

            page.get_by_role("link", name="Payer en ligne — F2026-000001").click()
            page.wait_for_url(f"{provider_url}/checkout?*")
            assert page.get_by_test_id("checkout-what").inner_text() == "Facture F2026-000001 : 288.00 EUR."
            page.get_by_test_id("checkout-pay").click()
            page.wait_for_url(f"{billing}?payment=sent")

            assert page.get_by_test_id("payment-sent").inner_text().startswith("Merci : votre paiement est parti.")
            assert page.get_by_test_id("nothing-owed").inner_text() == (
                "Rien à payer : toutes les factures sont réglées.")
            assert page.get_by_test_id("pay-online-F2026-000001").count() == 0
            assert "F2026-000001" in page.get_by_test_id("invoices").inner_text()
            assert "Payée" in page.get_by_test_id("invoices").get_by_role("row").nth(1).inner_text()
            assert page.get_by_test_id("balance").inner_text() == "0,00 €"
            for width in (1366, 375):
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(SHOTS / f"billing-paid-fr-{width}.png"), full_page=True)
                assert _fits(page), width
        finally:
            context.close()
    assert [notification["status"] for notification in provider.notified] == [200]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == (Invoice.Status.PAID, Decimal("288.00"))
    assert Payment.objects.get(invoice=invoice).method == Payment.Method.PROVIDER


def test_a_late_invoice_reads_in_english_with_the_bank_details(live_server_port, browser, demo, clock,
                                                               settings) -> None:
    settings.INVOICING_PAYMENT_PROVIDER = "fake"
    settings.INVOICING_PAYMENT_PROVIDER_URL = "http://127.0.0.1:9/"
    _open_invoice(demo, clock)
    clock(paris(2026, 2, 20, 10))
    for width in (1366, 375):
        context, page = _signed_in_page(browser, demo, width)
        try:
            page.goto(f"http://{host_of(demo)}:{live_server_port}/billing/")
            row = page.get_by_test_id("open-invoice-F2026-000001")
            assert row.get_by_test_id("due-state").inner_text() == "Overdue by 6 days"
            assert row.get_by_test_id("due-date").inner_text() == "Feb. 14, 2026"
            assert page.get_by_test_id("owed-overdue").inner_text() == "288.00 € of it is overdue: please pay it now."
            assert page.get_by_test_id("bank-iban").inner_text() == settings.INVOICING_BANK_ACCOUNT["iban"]
            assert page.get_by_role("link", name="Pay online — F2026-000001").count() == 1
            page.screenshot(path=str(SHOTS / f"billing-late-en-{width}.png"), full_page=True)
            assert _fits(page), width
        finally:
            context.close()
