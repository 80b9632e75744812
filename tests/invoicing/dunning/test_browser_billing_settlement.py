"""Browser (real Chromium): the billing page of a customer with a late invoice states the settlement rule, in
French, on a laptop (1366 px) and on a phone (375 px) without horizontal scrolling."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from invoicing import services
from mooc_platform.accounts.models import User
from tests.invoicing.helpers import paris, sign

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp"))


@pytest.mark.parametrize("width", [1366, 375])
def test_the_settlement_rule_reads_on_a_laptop_and_a_phone(live_server_port, browser, quote_sent, clock, settings,
                                                            width) -> None:
    settings.INVOICING_LATE_INTEREST_ANNUAL_RATE = "12.15"
    clock(paris(2026, 2, 13, 9))
    signed = sign(quote_sent(slug=f"bill-{uuid.uuid4().hex[:12]}"))  # schemas outlive the test
    for day in ((3, 15), (3, 30)):
        clock(paris(2026, *day, 6))
        services.dunning_run()
    clock(paris(2026, 3, 30, 10))
    host = f"{signed.tenant.slug}.localhost"
    client = Client(HTTP_HOST=host)
    with schema_context(signed.tenant.schema_name):
        admin = User.objects.get(email=signed.subscription.buyer_email)
        admin.language = "fr"
        admin.save(update_fields=["language"])
        client.force_login(admin)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host,
                          "path": "/"}])
    page = context.new_page()
    try:
        page.goto(f"http://{host}:{live_server_port}/billing/")
        assert page.get_by_test_id("balance").inner_text() == "329,44 €"
        assert page.get_by_test_id("settlement-rule").inner_text().startswith(
            "Les intérêts de retard courent jusqu’à la réception de votre paiement. Le solde affiché, 329,44 €")
        page.screenshot(path=str(SHOTS / f"billing-settlement-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
