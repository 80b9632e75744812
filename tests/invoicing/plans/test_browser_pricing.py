"""Browser (real Chromium): `/pricing/` on the platform host reads in English and French, switches language,
and fits 1366 px and 375 px without horizontal scrolling (SPEC R30)."""

from __future__ import annotations

from decimal import Decimal

from invoicing import services
from invoicing.models import Plan
from tests.invoicing.helpers import unique_slug


def test_pricing_page_in_both_languages_on_desktop_and_phone(live_server_port: int, page) -> None:
    Plan.objects.update(is_active=False)
    services.plan_create(code=unique_slug("essential"), name="Essential", billing_period="monthly",
                         flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50)
    services.plan_create(code=unique_slug("campus"), name="Campus", billing_period="annual",
                         flat_amount=Decimal("6000.00"), per_seat_amount=Decimal("12.00"), setup_fee=Decimal("1500"),
                         seats=500, custom_domains_allowed=True, storage_quota_bytes=200 * 1024**3)
    page.goto(f"http://localhost:{live_server_port}/pricing/?lang=en")
    assert page.get_by_test_id("pricing-title").inner_text() == "Prices"
    for language, title in (("en", "Prices"), ("fr", "Tarifs")):
        if language == "fr":
            page.get_by_test_id("lang-fr").click()
        assert page.get_by_test_id("pricing-title").inner_text() == title
        assert page.locator("[data-testid=prices] tbody tr").count() == 2
        for width in (1366, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"/tmp/pricing-{language}-{width}.png", full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert "6\u00a0000,00\u00a0€" in page.get_by_test_id("prices").inner_text()
