"""The console at 1366 px and on a 375 px phone (issue 12 item 4): no horizontal scroll of the page (wide
tables scroll inside their own box). The app serves the console's stylesheet itself (WhiteNoise); nothing is
injected, as the Content-Security-Policy forbids inline styles (issue 11 item 8)."""

from __future__ import annotations

import pytest

from .test_browser_console import _operator, _sign_in


@pytest.mark.parametrize("width", [375, 1366])
def test_console_pages_fit_the_screen_without_horizontal_scroll(live_server_port: int, browser, width) -> None:
    from tenants.models import Tenant
    from tests.factories import PlanFactory

    _operator()
    plan = PlanFactory()
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    base = f"http://localhost:{live_server_port}"
    _sign_in(page, base)
    demo = Tenant.objects.get(slug="demo")
    for path in ("/console/", "/console/organisations/", f"/console/organisations/{demo.pk}/",
                 f"/console/organisations/{demo.pk}/suspend/", "/console/invoices/", "/console/quotes/new/",
                 "/console/approvals/", "/console/plans/",
                 f"/console/plans/{plan.pk}/retire/",
                 f"/console/organisations/{demo.pk}/proceedings-open/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        # The console's stylesheet applies (served by the app): its header is a flex box.
        assert page.evaluate("getComputedStyle(document.querySelector('.console-header')).display") == "flex"
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, width, overflow)
    context.close()
