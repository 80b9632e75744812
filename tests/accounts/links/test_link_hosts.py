"""Issue 11 item 9: e-mailed links name the configured platform domain, scheme and port, never the Host
header (or its port) the request came with: a forged Host must not receive a reset token."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("scheme", "port", "expected"), [
    ("https", "", "https://demo.localhost/accounts/reset/"),
    ("http", "8000", "http://demo.localhost:8000/accounts/reset/"),
])
def test_password_reset_link_uses_the_configured_host(demo, settings, mailoutbox, scheme, port, expected):
    settings.PLATFORM_DOMAIN, settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "localhost", scheme, port
    client = Client(HTTP_HOST="demo.localhost:6666")
    response = client.post("/accounts/password-reset/", {"email": "learner1@demo.test"})
    assert response.status_code == 302
    links = [line.strip() for line in mailoutbox[-1].body.splitlines() if "/accounts/reset/" in line]
    assert len(links) == 1 and links[0].startswith(expected), links
    assert ":6666" not in mailoutbox[-1].body
