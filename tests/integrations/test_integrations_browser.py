"""Browser (real Chromium): an administrator registers a webhook endpoint, sends a test event that the loopback
receiver gets (real worker), sees the attempt in the delivery log, replays it, and deletes the endpoint after
confirming; the page fits 1366 and 375 px wide screens."""

from __future__ import annotations

import time
from pathlib import Path

from mooc_platform.demo import DEMO_PASSWORD

from .helpers import Receiver, signature_valid

SHOTS = Path("/tmp/hooks17-screenshots")


def _no_horizontal_scroll(page) -> bool:
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 5)""")
    assert wide == [], wide
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_administrator_registers_pings_replays_and_deletes_a_webhook_endpoint(
        live_server_port: int, page, celery_worker_session, receiver: Receiver, settings) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "http", str(live_server_port)
    base = f"http://demo.localhost:{live_server_port}"
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/login/?next=/integrations/webhooks/")
    page.get_by_label("E-mail").fill("admin@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/integrations/webhooks/")

    page.get_by_label("Endpoint URL (https://…)").fill("http://example.com/not-https")
    page.get_by_label("Enrolment").check()
    page.get_by_test_id("webhook-submit").click()
    assert "The endpoint must use HTTPS." in page.locator("form[data-testid=webhook-form]").inner_text()

    page.get_by_label("Endpoint URL (https://…)").fill(receiver.url)
    page.get_by_label("Description").fill("Our LMS")
    page.get_by_test_id("webhook-submit").click()
    page.wait_for_url(f"{base}/integrations/webhooks/*/")
    secret = page.get_by_test_id("webhook-secret").inner_text()
    assert secret.startswith("whsec_")
    assert page.get_by_test_id("deliveries-empty").is_visible()

    page.get_by_test_id("webhook-ping").click()
    deadline = time.monotonic() + 60
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.2)
    assert signature_valid(secret=secret, received=receiver.received[0], now=time.time())
    for _ in range(60):  # the worker records the attempt right after the receiver answers
        page.reload()
        if page.get_by_test_id("delivery-attempt").count():
            break
        time.sleep(0.5)
    assert page.get_by_test_id("delivery-status").inner_text().startswith("succeeded")
    assert "HTTP 200" in page.get_by_test_id("delivery-attempt").first.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "webhook-1366.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(SHOTS / "webhook-375.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_test_id("delivery-replay").click()
    for _ in range(60):
        page.reload()
        if page.get_by_test_id("delivery-attempt").count() == 2:
            break
        time.sleep(0.5)
    attempts = page.get_by_test_id("delivery-attempt").all_inner_texts()
    assert len(attempts) == 2 and "(replay)" in attempts[0] and len(receiver.received) == 2

    page.get_by_test_id("webhook-delete-link").click()
    assert "and its delivery log?" in page.locator("main").inner_text()
    page.get_by_test_id("webhook-delete-confirm").click()
    page.wait_for_url(f"{base}/integrations/webhooks/")
    assert "Endpoint deleted." in page.locator(".messages").inner_text()
    assert receiver.url not in page.content()


def test_an_administrator_creates_a_key_sees_it_once_and_revokes_it(live_server_port: int, page) -> None:
    base = f"http://demo.localhost:{live_server_port}"
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/login/?next=/integrations/api-keys/")
    page.get_by_label("E-mail").fill("admin@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/integrations/api-keys/")
    name = f"Browser key {time.monotonic_ns()}"
    page.get_by_label("Name").fill(name)
    page.get_by_label("Read-only: read every resource below").check()
    page.get_by_test_id("api-key-submit").click()
    key = page.get_by_test_id("api-key-value").inner_text()
    assert key.startswith("mk_") and name in page.get_by_test_id("api-key-created").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "api-keys-375.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SHOTS / "api-keys-1366.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    page.goto(f"{base}/integrations/api-keys/")
    assert key not in page.content()  # shown once
    row = page.get_by_test_id("api-key-row").filter(has_text=name)
    row.get_by_test_id("api-key-revoke").click()  # asks first
    assert page.get_by_test_id("consequence").inner_text().startswith(f"The key “{name}” stops working at once")
    page.get_by_test_id("api-key-revoke-confirm").click()
    page.wait_for_url(f"{base}/integrations/api-keys/")
    assert f"Key “{name}” revoked." in page.content()
    assert page.get_by_test_id("api-key-row").filter(has_text=name).get_by_test_id("api-key-status").inner_text() \
        == "revoked"
    from django_tenants.utils import schema_context

    from integrations.models import ApiKey

    with schema_context(_demo_schema()):  # committed rows of a tenant schema stay: leave none behind
        ApiKey.objects.filter(name=name).delete()


def _demo_schema() -> str:
    from tenants.models import Tenant

    return Tenant.objects.get(slug="demo").schema_name
