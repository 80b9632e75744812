"""Browser test (real Chromium, SPEC R11): a learner of a suspended tenant sees the information
screen after logging in; its administrator follows the billing link, which the state middleware
lets through, and lands on the invoicing app's billing page (200, not bounced back to the
information screen)."""

from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tenants.services import tenant_suspend


def _log_in(page, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_suspended_tenant_learner_sees_information_screen_and_admin_reaches_billing(live_server_port: int,
                                                                                     page) -> None:
    tenant_suspend(tenant=Tenant.objects.get(slug="demo"), reason="Invoice unpaid")
    url = f"http://demo.localhost:{live_server_port}"

    _log_in(page, url, "learner1@demo.test")
    page.wait_for_url(url + "/account-status/")
    assert page.get_by_test_id("account-status-title").inner_text() == "Access suspended"
    assert "until the sums due are paid" in page.get_by_test_id("account-status-message").inner_text()
    assert page.get_by_test_id("billing-link").count() == 0
    page.get_by_role("button", name="Log out").click()

    _log_in(page, url, "admin@demo.test")
    page.wait_for_url(url + "/account-status/")
    with page.expect_navigation() as navigation:
        page.get_by_test_id("billing-link").click()
    assert page.url == url + "/billing/"
    assert navigation.value.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Billing"
    assert page.get_by_test_id("account-status-title").count() == 0
