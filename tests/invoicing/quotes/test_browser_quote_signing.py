"""Browser (real Chromium): a signer signs a quote from its link; the new tenant answers on its own URL;
its administrator chooses a password from the invitation e-mail, logs in there, finds the first invoice
on the billing page, and cancels with a confirmation step."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import connection

from invoicing import services
from invoicing.models import BillingPeriod, Invoice
from mooc_platform.business_time import business_date
from tests.invoicing.helpers import unique_slug

PASSWORD = "a-long-passphrase-2026"


def test_signer_signs_from_the_link_and_the_new_tenant_is_live(live_server_port: int, page, settings,
                                                              mailoutbox) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "http", str(live_server_port)
    slug = unique_slug("sig")
    plan = services.plan_create(code=unique_slug("plan"), name="Essential", billing_period=BillingPeriod.MONTHLY,
                                flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50)
    quote = services.quote_create(plan=plan, organisation_name="Université de Tours",
                                  billing_address="60 rue du Plat d'Étain, 37000 Tours", country="FR",
                                  contact_name="Claire Martin", contact_email=f"claire@{slug}.example",
                                  wished_slug=slug, language="en")
    quote = services.quote_send(quote=quote, signing_base_url=f"http://localhost:{live_server_port}")
    schema_name = f"t_{slug.replace('-', '_')}"
    try:
        page.goto(f"http://localhost:{live_server_port}/quotes/sign/{quote.token}/")
        assert "Université de Tours" in page.get_by_test_id("quote-title").inner_text()
        assert page.get_by_test_id("quote-total").inner_text() == "240.00\u00a0€"
        page.get_by_label("Full name").fill("Claire Martin")
        page.get_by_label("Title").fill("Présidente")
        page.get_by_label("E-mail").fill("claire.martin@tours.example")
        page.get_by_role("button", name="Sign the quote").click()
        assert "This field is required." in page.locator(".error").inner_text()  # acceptance is explicit
        page.get_by_label("I have read the quote and the terms and conditions, and I accept them.").check()
        page.get_by_role("button", name="Sign the quote").click()

        assert page.get_by_test_id("signed-title").inner_text() == "Thank you: the quote is signed"
        tenant_url = page.get_by_test_id("tenant-url").inner_text()
        assert tenant_url == f"http://{slug}.localhost:{live_server_port}/"
        number = f"F{business_date().year}-000001"
        assert number in page.content()

        page.goto(tenant_url)
        assert page.get_by_test_id("tenant-name").inner_text() == "Université de Tours"

        # Opening the link again: the quote is a definitive order, it cannot be signed twice.
        page.goto(f"http://localhost:{live_server_port}/quotes/sign/{quote.token}/")
        assert "already signed" in page.get_by_test_id("quote-problem").inner_text()

        invitation = next(m for m in mailoutbox if m.to == [f"claire@{slug}.example"] and "/invitation/" in m.body)
        link = re.search(r"http://\S+/invitation/\S+/", invitation.body).group(0)
        assert link.startswith(tenant_url)
        page.goto(link)
        page.get_by_label("New password", exact=True).fill(PASSWORD)
        page.get_by_label("New password again").fill(PASSWORD)
        page.get_by_role("button", name="Set my password").click()
        assert page.url == tenant_url + "login/"
        page.goto(tenant_url + "login/?next=/billing/")
        page.get_by_label("E-mail").fill(f"claire@{slug}.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        assert number in page.get_by_test_id("invoices").inner_text()
        assert page.get_by_test_id("balance").inner_text() == "288.00 €"

        page.get_by_test_id("cancel-link").click()
        page.get_by_test_id("confirm-cancel").click()
        assert page.get_by_test_id("subscription-status").inner_text().startswith("Cancelled")
        assert Invoice.objects.filter(number=number).count() == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
