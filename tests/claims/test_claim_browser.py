"""Issue 15 "Done when" (browser, real Chromium): an administrator files a claim about a maintenance window, an
operator answers it in the console (signed in with the TOTP second factor), the administrator sees the answer."""

from __future__ import annotations

from base64 import b32decode

from django.utils import timezone
from django_otp.oath import totp

from claims.models import Claim
from console.demo import demo_operator_totp_ensure
from mooc_platform.accounts.models import User
from mooc_platform.business_time import platform_tz
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant

from .helpers import past_window


def _operator() -> User:
    """The demo operator (transactional tests empty the public tables: make it again if needed)."""
    operator = User.objects.filter(email="operator@demo.test").first() or User.objects.create_user(
        "operator@demo.test", DEMO_PASSWORD, role=User.Role.OPERATOR, is_staff=True)
    demo_operator_totp_ensure(operator=operator)
    return operator


def test_an_administrator_files_a_maintenance_claim_an_operator_answers_the_administrator_reads_it(
        live_server_port: int, page, settings) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "http", str(live_server_port)
    _operator()
    demo = Tenant.objects.get(slug="demo")
    window = past_window(tenants=[demo], now=timezone.now())
    tenant_base = f"http://demo.localhost:{live_server_port}"

    page.goto(f"{tenant_base}/login/?next=/claims/")
    page.get_by_label("E-mail").fill("admin@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{tenant_base}/claims/")
    page.get_by_test_id("claim-new-link").click()
    page.get_by_label("About:", exact=True).select_option("maintenance")
    page.get_by_label("Maintenance window:", exact=True).select_option(str(window.pk))
    event = timezone.localtime(window.start, platform_tz())
    page.get_by_label("When did the event happen? (Paris time)").fill(event.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Subject").fill("The window overran")
    page.get_by_label("What happened, and what do you ask for?").fill("Our learners could not sign in at 17:00.")
    page.get_by_test_id("claim-submit").click()
    claim = Claim.objects.get(tenant=demo, subject="The window overran")
    page.wait_for_url(f"{tenant_base}/claims/{claim.pk}/")
    assert f"Claim {claim.reference} received on" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("claim-status").inner_text() == "Open"
    assert claim.maintenance_window_id == window.pk and claim.late is True  # filed days after the window

    operator = page.context.browser.new_context().new_page()
    base = f"http://localhost:{live_server_port}"
    operator.goto(f"{base}/console/")
    operator.get_by_label("E-mail").fill("operator@demo.test")
    operator.get_by_label("Password").fill(DEMO_PASSWORD)
    operator.get_by_role("button", name="Continue").click()
    operator.wait_for_url(f"{base}/console/otp/**")
    operator.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(b32decode('MOOCDEMOOPERATOR')):06d}")
    operator.get_by_role("button", name="Sign in").click()
    operator.wait_for_url(f"{base}/console/")
    assert int(operator.get_by_test_id("claims-open-count").inner_text()) >= 1
    operator.get_by_test_id("claims-open-count").click()
    operator.get_by_role("link", name=claim.reference).click()
    assert operator.get_by_test_id("claim-late").inner_text() == "yes"
    operator.get_by_label("Answer:", exact=True).fill("The window ran 40 minutes over: we credit one day of service.")
    operator.get_by_test_id("reply-submit").click()
    assert "Answer sent to admin@demo.test." in operator.locator(".messages").inner_text()
    assert operator.get_by_test_id("claim-status").inner_text() == "Answered"
    operator.context.close()

    page.reload()
    assert page.get_by_test_id("claim-status").inner_text() == "Answered"
    assert page.get_by_test_id("message-body").inner_text() == (
        "The window ran 40 minutes over: we credit one day of service.")
