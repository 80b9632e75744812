"""Browser test (real Chromium, issue 13 items 1 and 4): acme's administrator (French) sees the dashboard — gauges,
the SVG chart, the links — and the branding page's live preview and contrast check, at 1366 and 375 px, with no
horizontal overflow. Screenshots in .var/screenshots/."""

from __future__ import annotations

from pathlib import Path

from django_tenants.utils import schema_context

from courses.models import Branding
from courses.selectors import seats_taken
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant

SCREENSHOTS = Path(__file__).resolve().parents[3] / ".var" / "screenshots"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login/")
    page.locator("input[name=username], input[type=email]").first.fill(email)
    page.locator("input[type=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def test_dashboard_and_branding_preview_in_french_at_1366_and_375_px(live_server_port: int, page) -> None:
    base = f"http://acme.localhost:{live_server_port}"
    acme = Tenant.objects.get(slug="acme")
    with schema_context(acme.schema_name):
        taken = seats_taken()
        branding_before = list(Branding.objects.values_list("primary_color", "accent_color"))
    _log_in(page, base, "admin@acme.test")
    page.get_by_test_id("home-dashboard").click()
    page.wait_for_url(base + "/manage/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + "/manage/")
        assert page.get_by_role("heading", level=1).inner_text() == "Tableau de bord"
        assert page.get_by_test_id("seats-taken").inner_text() == str(taken)
        assert page.get_by_test_id("seat-limit").inner_text() == str(acme.seat_limit)
        assert page.locator("[data-testid=activity-chart] circle").count() == 24  # 12 weeks × 2 series
        assert page.locator("svg.gauge").count() == 2
        assert page.get_by_test_id("link-billing").inner_text() == "Factures dues"
        page.screenshot(path=str(SCREENSHOTS / f"dash13_dashboard_{width}.png"), full_page=True)
        assert page.evaluate(OVERFLOW) <= 0, width
    page.get_by_test_id("link-seats").click()
    page.wait_for_url(base + "/manage/users/")

    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + "/manage/branding/")
        header = page.get_by_test_id("preview-header")
        page.get_by_test_id("primary-hex").fill("#ffff00")
        assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 0)"
        assert "trop faible" in page.get_by_test_id("primary-contrast").inner_text()
        assert "1,07:1" in page.get_by_test_id("primary-contrast").inner_text()
        page.locator("#b-accent-swatch").fill("#1e3a8a")  # the swatch writes the hex field and the preview
        assert page.get_by_test_id("accent-hex").input_value() == "#1e3a8a"
        accent = page.get_by_test_id("preview-accent")
        assert accent.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
        assert "lisible" in page.get_by_test_id("accent-contrast").inner_text()
        assert page.locator("#b-primary-swatch").input_value() == "#ffff00"
        button = page.get_by_test_id("preview-button")
        assert button.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 0)"
        page.screenshot(path=str(SCREENSHOTS / f"dash13_branding_preview_{width}.png"), full_page=True)
        assert page.evaluate(OVERFLOW) <= 0, width
        page.get_by_test_id("branding-save").click()  # white on yellow: refused by the server, shown again
        error = page.get_by_test_id("error-primary_color")
        assert "contraste de 1,07:1" in error.inner_text()
        assert page.get_by_test_id("primary-hex").input_value() == "#ffff00"
        page.screenshot(path=str(SCREENSHOTS / f"dash13_branding_refused_{width}.png"), full_page=True)
        assert page.evaluate(OVERFLOW) <= 0, width
    with schema_context(acme.schema_name):
        assert list(Branding.objects.values_list("primary_color", "accent_color")) == branding_before
