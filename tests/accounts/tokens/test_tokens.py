"""Issue 11 item 3: API tokens expire, are listed and revoked; a new password or "sign out everywhere"
ends every token and session of the user, on the user's request or an administrator's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import AccessToken, User
from mooc_platform.demo import DEMO_PASSWORD
from tests.conftest import api_client, api_token, host_of
from tests.courses.conftest import user_make

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def _signed_in(host: str, email: str) -> Client:
    client = Client(HTTP_HOST=host)
    response = client.post("/login/", {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content
    assert client.get("/my/profile/").status_code == 200
    return client


def test_token_expires_after_the_setting(demo, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    host = host_of(demo)
    with time_machine.travel(NOW, tick=False):
        response = api_client(host).post("/api/v1/auth/token/", {"email": "learner1@demo.test",
                                                                  "password": DEMO_PASSWORD}, format="json")
        assert response.status_code == 200
        assert response.json()["expires_at"] == "2027-03-17T09:00:00Z"
        token = response.json()["token"]
        assert api_client(host, token).get("/api/v1/me/").status_code == 200
    with time_machine.travel(NOW + timedelta(days=7, seconds=-1), tick=False):
        assert api_client(host, token).get("/api/v1/me/").status_code == 200
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        response = api_client(host, token).get("/api/v1/me/")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"


def test_tokens_are_listed_and_revoked_one_by_one(demo):
    host = host_of(demo)
    with schema_context(demo.schema_name):  # fresh users: committed tests may have left tokens to the demo ones
        owner, someone = user_make(), user_make()
    first = api_token(host, owner.email)
    second = api_token(host, owner.email)
    api_token(host, someone.email)  # someone else's: never listed
    rows = api_client(host, second).get("/api/v1/me/tokens/").json()
    assert [(row["prefix"], row["current"]) for row in rows] == [(second[:8], True), (first[:8], False)]
    with schema_context(demo.schema_name):
        assert AccessToken.objects.filter(prefix=first[:8]).values_list("key_digest", flat=True)[0] != first
        other = AccessToken.objects.get(user=someone)
    # Another user's token is not found, not revoked.
    assert api_client(host, second).delete(f"/api/v1/me/tokens/{other.pk}/").status_code == 404
    assert api_client(host, second).delete(f"/api/v1/me/tokens/{rows[1]['id']}/").status_code == 204
    assert api_client(host, first).get("/api/v1/me/").status_code == 401
    assert api_client(host, second).get("/api/v1/me/").status_code == 200
    assert len(api_client(host, second).get("/api/v1/me/tokens/").json()) == 1


def test_password_reset_revokes_every_token_and_session(demo, mailoutbox):
    host = host_of(demo)
    token = api_token(host, "learner1@demo.test")
    browser = _signed_in(host, "learner1@demo.test")
    anonymous = Client(HTTP_HOST=host)
    assert anonymous.post("/accounts/password-reset/", {"email": "learner1@demo.test"}).status_code == 302
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/accounts/reset/" in line).strip()
    path = link[link.index("/accounts/reset/"):]
    form = anonymous.get(path, follow=True)
    assert form.status_code == 200
    response = anonymous.post(form.redirect_chain[-1][0], {"new_password1": "a-new-passw0rd-2027",
                                                           "new_password2": "a-new-passw0rd-2027"})
    assert response.status_code == 302 and response["Location"] == "/accounts/reset/done/"
    assert api_client(host, token).get("/api/v1/me/").status_code == 401
    assert browser.get("/my/profile/").status_code == 302  # back to the login page


def test_password_set_by_any_path_revokes_tokens(in_demo):
    user = User.objects.get(email="learner2@demo.test")
    from mooc_platform.accounts.tokens import token_authenticate, token_issue

    _row, key = token_issue(user=user)
    user.full_name = "Renamed"
    user.save()
    assert token_authenticate(key=key) is not None  # another field: the token stays
    user.set_password("another-passw0rd-2027")
    user.save(update_fields=["password"])
    assert token_authenticate(key=key) is None


def test_user_signs_out_everywhere(demo):
    host = host_of(demo)
    token = api_token(host, "learner1@demo.test")
    laptop, phone = _signed_in(host, "learner1@demo.test"), _signed_in(host, "learner1@demo.test")
    other = _signed_in(host, "learner2@demo.test")
    response = phone.post("/sign-out-everywhere/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert laptop.get("/my/profile/").status_code == 302
    assert phone.get("/my/profile/").status_code == 302
    assert api_client(host, token).get("/api/v1/me/").status_code == 401
    assert other.get("/my/profile/").status_code == 200
    # The API's own route does the same, its own token included.
    token = api_token(host, "learner1@demo.test")
    again = _signed_in(host, "learner1@demo.test")
    response = api_client(host, token).post("/api/v1/me/sign-out-everywhere/")
    assert response.status_code == 200 and response.json() == {"tokens_revoked": 1}
    assert api_client(host, token).get("/api/v1/me/").status_code == 401
    assert again.get("/my/profile/").status_code == 302
    _signed_in(host, "learner1@demo.test")  # the password still works


def test_administrator_signs_a_user_out_everywhere(demo):
    host = host_of(demo)
    with schema_context(demo.schema_name):
        learner = user_make()
    token = api_token(host, learner.email)
    browser = _signed_in(host, learner.email)
    admin = api_token(host, "admin@demo.test")
    assert api_client(host, api_token(host, "instructor@demo.test")).post(
        f"/api/v1/users/{learner.pk}/sign-out-everywhere/").status_code == 403
    response = api_client(host, admin).post(f"/api/v1/users/{learner.pk}/sign-out-everywhere/")
    assert response.status_code == 200 and response.json() == {"tokens_revoked": 1}
    assert api_client(host, token).get("/api/v1/me/").status_code == 401
    assert browser.get("/my/profile/").status_code == 302
    assert api_client(host, admin).get("/api/v1/me/").status_code == 200
    # The users page does the same.
    browser = _signed_in(host, learner.email)
    admin_page = _signed_in(host, "admin@demo.test")
    response = admin_page.post("/manage/users/", {"action": "sign-out-everywhere", "user": learner.pk})
    assert response.status_code == 302
    assert browser.get("/my/profile/").status_code == 302


def test_the_daily_beat_task_deletes_expired_tokens_of_every_host_and_keeps_live_ones(demo, acme, settings):
    from mooc_platform.accounts.tokens import token_issue
    from mooc_platform.tasks import api_tokens_expired_delete_all

    assert settings.CELERY_BEAT_SCHEDULE["api-tokens-expired-delete-daily"]["task"] == (
        "mooc_platform.api_tokens_expired_delete_all")
    settings.API_TOKEN_TTL_DAYS = 7
    issued = {}
    for tenant, email, at in ((demo, "learner1@demo.test", NOW - timedelta(days=8)),
                              (acme, "learner1@acme.test", NOW - timedelta(days=8)),
                              (demo, "learner2@demo.test", NOW - timedelta(days=6))):
        with schema_context(tenant.schema_name):
            token, _key = token_issue(user=User.objects.get(email=email), now=at)
            issued[(tenant.slug, email)] = token.pk
    with time_machine.travel(NOW, tick=False):
        assert api_tokens_expired_delete_all() >= 2
    with schema_context(demo.schema_name):
        remaining = set(AccessToken.objects.filter(pk__in=issued.values()).values_list("pk", flat=True))
        assert remaining == {issued[("demo", "learner2@demo.test")]}
    with schema_context(acme.schema_name):
        assert not AccessToken.objects.filter(pk=issued[("acme", "learner1@acme.test")]).exists()
