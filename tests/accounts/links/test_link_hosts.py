"""Issue 11 item 9: e-mailed links (password reset, invitation) name the configured platform domain, scheme
and port, never the Host header (or its port) the request came with: a forged Host must not receive a token."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.accounts.tokens import token_issue
from mooc_platform.demo import DEMO_PASSWORD
from tests.conftest import api_client

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


@pytest.mark.parametrize("via", ["api", "page"])
def test_invitation_link_uses_the_configured_host(demo, settings, mailoutbox, via,
                                                  django_capture_on_commit_callbacks):
    settings.PLATFORM_DOMAIN, settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "localhost", "https", ""
    with schema_context(demo.schema_name):
        admin = User.objects.get(email="admin@demo.test")
        key = token_issue(user=admin)[1]
    email = f"invited-{via}@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        if via == "api":
            response = api_client("demo.localhost:6666", key).post("/api/v1/users/", {"email": email}, format="json")
            assert response.status_code == 201, response.content
        else:
            client = Client(HTTP_HOST="demo.localhost:6666")
            assert client.post("/login/", {"username": admin.email, "password": DEMO_PASSWORD}).status_code == 302
            response = client.post("/manage/users/", {"action": "invite", "email": email, "role": "learner"})
            assert response.status_code == 302
    body = mailoutbox[-1].body
    assert "https://demo.localhost/invitation/" in body and ":6666" not in body
