"""Browser test (real Chromium): a learner sees the maintenance banner before the window and the
maintenance page during it. The live server runs in a thread of this process, so moving this
process's clock with time-machine moves the server's clock too."""

from __future__ import annotations

from datetime import timedelta

from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tests.factories import MaintenanceWindowFactory
from tests.maintenance.helpers import MARCH_SAT_NOON


def test_learner_sees_the_banner_before_the_window_and_the_maintenance_page_during_it(
    live_server_port: int, page, clock
) -> None:
    demo = Tenant.objects.get(slug="demo")
    clock(MARCH_SAT_NOON - timedelta(days=2), tick=True)
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], now=None,
                    message_en="The platform is being upgraded to a new database.")
    base = f"http://demo.localhost:{live_server_port}"

    page.goto(base + "/login/")
    banner = page.get_by_test_id("maintenance-banner")
    assert "from Saturday 27 March 2027, 12:00 CET to Saturday 27 March 2027, 18:00 CET." in banner.inner_text()
    page.get_by_label("E-mail").fill("learner1@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_test_id("welcome").inner_text() == "Welcome, Lea Learner 1."
    assert "The platform is being upgraded to a new database." in page.get_by_test_id("maintenance-banner").inner_text()

    clock(MARCH_SAT_NOON + timedelta(hours=1), tick=True)
    response = page.goto(base + "/")
    assert response is not None and response.status == 503
    assert 4 * 3600 - 60 < int(response.headers["retry-after"]) <= 5 * 3600
    maintenance = page.get_by_test_id("maintenance-page")
    assert "Maintenance in progress" in maintenance.inner_text()
    assert "The platform is being upgraded to a new database." in maintenance.inner_text()
    assert page.get_by_test_id("maintenance-end").inner_text() == "Saturday 27 March 2027, 18:00 CET"

    clock(MARCH_SAT_NOON + timedelta(hours=6, minutes=1), tick=True)
    page.goto(base + "/")
    assert page.get_by_test_id("welcome").inner_text() == "Welcome, Lea Learner 1."
    assert page.get_by_test_id("maintenance-banner").count() == 0
