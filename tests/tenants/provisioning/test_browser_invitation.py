"""Browser test (real Chromium, SPEC R2, R3): the first administrator of a new tenant follows the
invitation link of the e-mail, is refused a trivial password, chooses a good one and logs in."""

import re
from urllib.parse import urlsplit

from django.core import mail


def test_invited_administrator_sets_a_password_and_logs_in(live_server_port: int, page, make_tenant) -> None:
    mail.outbox.clear()
    tenant = make_tenant(passwords=False)
    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[-1].body).group(0)
    base = f"http://{tenant.slug}.localhost:{live_server_port}"
    page.goto(base + urlsplit(link).path)

    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("New password again").fill("password")
    page.get_by_role("button", name="Set my password").click()
    assert "too common" in page.get_by_test_id("password-errors").inner_text()

    page.get_by_label("New password", exact=True).fill("Sunny-Orchard-4821")
    page.get_by_label("New password again").fill("Sunny-Orchard-4821")
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url(base + "/login/")
    page.get_by_label("E-mail").fill(f"admin@{tenant.slug}.test")
    page.get_by_label("Password").fill("Sunny-Orchard-4821")
    page.get_by_role("button", name="Log in").click()
    # A name is required on first sign-in (issue 11 item 6): the profile form comes first.
    page.wait_for_url(base + "/my/profile/?next=/")
    page.get_by_label("Full name").fill("Alma Admin")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_test_id("welcome").inner_text() == "Welcome, Alma Admin."
