"""Browser (real Chromium): an administrator corrects the billing details from the billing page — a bad SIREN is
shown on its field with what was typed kept, the corrected form is saved and the billing page shows the new
details; in English and French, at 1366 px and 375 px without horizontal scrolling."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import BillingPeriod, Subscription
from mooc_platform.accounts.models import User
from tests.invoicing.helpers import unique_slug

PASSWORD = "a-long-passphrase-2026"
TEXTS = {
    "en": {"link": "Update the billing details", "save": "Save the billing details", "saved": "Your billing details"
           " are saved.", "siren": "This SIREN is not valid."},
    "fr": {"link": "Modifier les coordonnées de facturation", "save": "Enregistrer les coordonnées de facturation",
           "saved": "Vos coordonnées de facturation sont enregistrées.", "siren": "Ce SIREN n’est pas valide."},
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_administrator_corrects_the_billing_details(live_server_port: int, page, language: str) -> None:
    slug = unique_slug("ident")
    plan = services.plan_create(code=unique_slug("plan"), name="Essential", billing_period=BillingPeriod.MONTHLY,
                                flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50)
    quote = services.quote_create(plan=plan, organisation_name="Université de Tours", billing_address="Tours",
                                  country="FR", contact_name="Claire Martin", contact_email=f"claire@{slug}.example",
                                  wished_slug=slug, language=language)
    quote = services.quote_send(quote=quote, signing_base_url=f"http://localhost:{live_server_port}")
    signed = services.quote_sign(token=quote.token, signer_name="Claire Martin", signer_title="Présidente",
                                 signer_email="claire@x.example", accept_terms=True)
    with schema_context(signed.tenant.schema_name):
        admin = User.objects.get(email=f"claire@{slug}.example")
        admin.set_password(PASSWORD)
        admin.language = language
        admin.save()
    text = TEXTS[language]
    base = f"http://{slug}.localhost:{live_server_port}"
    page.goto(base + "/login/?next=/billing/")
    page.locator("input[name=username]").fill(f"claire@{slug}.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.get_by_role("link", name=text["link"]).click()
    page.locator("#id_billing_address").fill("3 rue des Tanneurs\n37000 Tours")
    page.locator("#id_siren").fill("123456789")
    page.locator("#id_billing_email").fill("compta@tours.example")
    page.get_by_role("button", name=text["save"]).click()
    assert page.get_by_test_id("error-siren").inner_text().strip() == text["siren"]
    assert page.locator("#id_billing_address").input_value() == "3 rue des Tanneurs\n37000 Tours"
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/billing-identity-error-{language}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#id_siren").fill("303 265 045")
    page.get_by_role("button", name=text["save"]).click()
    assert text["saved"] in page.locator(".messages").inner_text()
    assert "SIREN 303265045" in page.get_by_test_id("billing-identity").inner_text()
    assert "compta@tours.example" in page.get_by_test_id("billing-identity").inner_text()
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/billing-identity-saved-{language}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert Subscription.objects.get(pk=signed.subscription.pk).buyer_siren == "303265045"
