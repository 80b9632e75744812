"""The console at 1366 px and on a 375 px phone (issue 12 item 4): no horizontal scroll of the page (wide
tables scroll inside their own box). The test server does not serve static files: the console's
stylesheet is injected from disk, as the app serves it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_browser_console import _operator, _sign_in

CSS = Path(__file__).resolve().parents[2] / "console" / "static" / "console" / "console.css"


@pytest.mark.parametrize("width", [375, 1366])
def test_console_pages_fit_the_screen_without_horizontal_scroll(live_server_port: int, browser, width) -> None:
    from tenants.models import Tenant

    _operator()
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    base = f"http://localhost:{live_server_port}"
    _sign_in(page, base)
    demo = Tenant.objects.get(slug="demo")
    for path in ("/console/", "/console/organisations/", f"/console/organisations/{demo.pk}/",
                 f"/console/organisations/{demo.pk}/suspend/", "/console/invoices/", "/console/quotes/new/",
                 "/console/approvals/"):
        page.goto(base + path)
        page.add_style_tag(path=str(CSS))
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, width, overflow)
    context.close()
