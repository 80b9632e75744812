"""The console at 1366 px and on a 375 px phone, in English and French (issue 12 items 4 and 6): no horizontal
scroll of the page (wide tables scroll inside their own box). The app serves the console's stylesheet itself
(WhiteNoise); nothing is injected, as the Content-Security-Policy forbids inline styles (issue 11 item 8).

`CONSOLE_SCREENSHOTS=/some/dir` also saves a full-page screenshot of each page (to look at them)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from mooc_platform.accounts.models import User
from mooc_platform.business_time import business_date, business_midnight

from .test_browser_console import _operator, _sign_in


def _next_saturday_noon():  # type: ignore[no-untyped-def]
    day = business_date(timezone.now() + timedelta(days=10))
    day += timedelta(days=(5 - day.weekday()) % 7)
    return business_midnight(day) + timedelta(hours=12)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", [375, 1366])
def test_console_pages_fit_the_screen_without_horizontal_scroll(live_server_port: int, browser, width,
                                                                language) -> None:
    from invoicing.models import Quote
    from tenants.models import Tenant
    from tests.factories import MaintenanceWindowFactory, PlanFactory, QuoteFactory
    from tests.invoicing.helpers import unique_slug

    operator = _operator()
    demo = Tenant.objects.get(slug="demo")
    start = _next_saturday_noon()
    window = MaintenanceWindowFactory(start=start, tenants=[demo], now=timezone.now())
    plan = PlanFactory()
    quote = Quote.objects.filter(status="sent").first() or QuoteFactory(wished_slug=unique_slug("layout"))
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    base = f"http://localhost:{live_server_port}"
    _sign_in(page, base)  # in English: the second factor's page already speaks the operator's language
    User.objects.filter(pk=operator.pk).update(language=language)
    shots = os.environ.get("CONSOLE_SCREENSHOTS")
    windows = f"/console/maintenance-windows/{window.pk}"
    for path in ("/console/", "/console/organisations/", f"/console/organisations/{demo.pk}/",
                 f"/console/organisations/{demo.pk}/suspend/", "/console/organisations/new/", "/console/invoices/",
                 "/console/quotes/", "/console/quotes/new/", f"/console/quotes/{quote.pk}/",
                 f"/console/quotes/{quote.pk}/withdraw/", "/console/approvals/", "/console/maintenance-windows/",
                 "/console/maintenance-windows/new/", f"{windows}/", f"{windows}/move/", f"{windows}/cancel/",
                 "/console/plans/", f"/console/plans/{plan.pk}/retire/", "/console/claims/",
                 f"/console/organisations/{demo.pk}/proceedings-open/"):
        page.goto(base + path)  # returns once the page has loaded: its stylesheet applies
        assert page.evaluate("document.documentElement.lang") == language, path
        # The console's stylesheet applies (served by the app): its header is a flex box.
        assert page.evaluate("getComputedStyle(document.querySelector('.console-header')).display") == "flex"
        if shots:
            name = path.strip("/").replace("/", "_") or "console"
            page.screenshot(path=str(Path(shots) / f"{name}-{width}-{language}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, width, overflow)
    context.close()
