"""Browser (real Chromium): the billing page says what is paid and what is only invoiced, how long access lasts
after a cancellation, and that a termination by the platform is final for the customer — in English and French,
on a desktop and on a phone without horizontal scrolling."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import BillingPeriod
from mooc_platform.accounts.models import User
from mooc_platform.business_time import add_months, business_date
from mooc_platform.formatting import localized
from tests.invoicing.conftest import unique_slug

PASSWORD = "a-long-passphrase-2026"
SCREENSHOTS = "/tmp"


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_billing_page_labels_paid_invoiced_access_and_termination(live_server_port: int, page) -> None:
    slug = unique_slug("bill")
    plan = services.plan_create(code=unique_slug("plan"), name="Essential", billing_period=BillingPeriod.MONTHLY,
                                flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50)
    quote = services.quote_create(plan=plan, organisation_name="Collège d'Orléans & Co", billing_address="Orléans",
                                  country="FR", contact_name="Claire Martin", contact_email=f"claire@{slug}.example",
                                  wished_slug=slug, language="en")
    quote = services.quote_send(quote=quote, signing_base_url=f"http://localhost:{live_server_port}")
    signed = services.quote_sign(token=quote.token, signer_name="Claire Martin", signer_title="Présidente",
                                 signer_email="claire@x.example", accept_terms=True)
    services.payment_record(invoice=signed.invoice, amount="288.00")
    services.subscription_cancel(subscription=signed.subscription)
    today = business_date()
    paid_through = add_months(today, 1)
    with schema_context(signed.tenant.schema_name):
        admin = User.objects.get(email=f"claire@{slug}.example")
        admin.set_password(PASSWORD)
        admin.language = "en"
        admin.save()
    base = f"http://{slug}.localhost:{live_server_port}"
    try:
        page.goto(base + "/login/?next=/billing/")
        page.get_by_label("E-mail").fill(f"claire@{slug}.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        day = localized(paid_through, "date", language="en")  # the page's language writes its dates
        assert page.get_by_test_id("paid-through").inner_text() == day
        assert page.get_by_test_id("invoiced-through").inner_text() == day
        assert page.get_by_test_id("access-ends").inner_text() == f"{day}, midnight"
        assert "Access continues until" in page.get_by_test_id("cancelled-access").inner_text()
        for width in (1366, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SCREENSHOTS}/billing-cancelled-en-{width}.png", full_page=True)
            assert _no_horizontal_scroll(page)

        services.subscription_terminate(tenant=signed.tenant, reason="offence", actor=None)
        with schema_context(signed.tenant.schema_name):
            User.objects.filter(pk=admin.pk).update(language="fr")
        page.goto(base + "/billing/")
        notice = page.get_by_test_id("terminated-notice").inner_text()
        assert notice.startswith("Votre contrat a été résilié par la plateforme")
        assert page.get_by_test_id("resubscribe-form").count() == 0
        assert page.get_by_text("Payé jusqu’au").count() == 1
        for width in (1366, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SCREENSHOTS}/billing-terminated-fr-{width}.png", full_page=True)
            assert _no_horizontal_scroll(page)
        assert today + timedelta(days=31) >= paid_through
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "t_{slug.replace("-", "_")}" CASCADE')
