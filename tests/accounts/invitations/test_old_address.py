"""Issue 10 item 2: the old invitation address of courses (`/accounts/invitation/<token>/`, tokens
stored hashed in UserInvitation) keeps working: it leads to the one invitation page."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from courses.models import UserInvitation
from mooc_platform.accounts.models import User
from tests.helpers import unique


def test_a_link_sent_before_the_merge_still_lets_the_user_choose_a_password(demo, in_demo) -> None:
    user = User.objects.create_user(f"{unique('old')}@example.org", None)
    now = timezone.now()
    UserInvitation.objects.create(user=user, token_hash=hashlib.sha256(b"old-token-42").hexdigest(), created_at=now,
                                  expires_at=now + timedelta(days=14))
    client = Client(HTTP_HOST=demo.get_primary_domain().domain)
    moved = client.get("/accounts/invitation/old-token-42/")
    assert moved.status_code == 302 and moved["Location"].startswith("/invitation/")
    page = client.get(moved["Location"])
    assert page.status_code == 200 and user.email in page.content.decode()


def test_an_unknown_or_used_old_link_shows_the_invalid_page_with_a_new_link_form(demo, in_demo) -> None:
    client = Client(HTTP_HOST=demo.get_primary_domain().domain, HTTP_ACCEPT_LANGUAGE="en")
    moved = client.get("/accounts/invitation/nope/")
    assert (moved.status_code, moved["Location"]) == (302, "/invitation/nope/")
    page = client.get(moved["Location"])
    assert page.status_code == 404 and b'action="/invitation/new/"' in page.content
