"""Issue 11 item 2: sign-in resists guessing (limits per account and per address, on the form and the API
alike) and cannot be turned into a lock-out weapon (the owner still signs in from a usual address, or
after a reset link); the API rate limit ignores a forged X-Forwarded-For and is per organisation."""

from __future__ import annotations

import pytest
from django.test import Client

from mooc_platform.demo import DEMO_PASSWORD
from tests.conftest import host_of

pytestmark = pytest.mark.django_db
WRONG = "not-the-password-1"


def _form(host: str, email: str, password: str, ip: str) -> tuple[Client, int, bytes]:
    client = Client(HTTP_HOST=host, REMOTE_ADDR=ip)
    response = client.post("/login/", {"username": email, "password": password})
    return client, response.status_code, response.content


def _api(host: str, email: str, password: str, ip: str, **headers: str) -> tuple[int, str]:
    response = Client(HTTP_HOST=host, REMOTE_ADDR=ip).post(
        "/api/v1/auth/token/", {"email": email, "password": password}, content_type="application/json", **headers)
    body = response.json()
    return response.status_code, body.get("error", {}).get("code", "token" if "token" in body else "")


def test_form_sign_in_ignores_the_case_of_the_email(demo):
    _client, status, _body = _form(host_of(demo), "Learner1@DEMO.test", DEMO_PASSWORD, "192.0.2.1")
    assert status == 302
    assert _api(host_of(demo), "LEARNER1@demo.test", DEMO_PASSWORD, "192.0.2.1") == (200, "token")


def test_one_account_guessed_from_many_addresses_is_locked_but_never_for_its_owner(demo):
    host = host_of(demo)
    email = "learner1@demo.test"
    assert _form(host, email, DEMO_PASSWORD, "192.0.2.10")[1] == 302  # the owner's usual address
    for n in range(10):  # ten attackers, one guess each: under the per-pair limit of 5
        status, body = _form(host, email, WRONG, f"198.51.100.{n + 1}")[1:]
        assert status == 200 and b"Unknown e-mail or wrong password" in body
    # The account is now locked for addresses it never used, on the form and on the API alike…
    status, body = _form(host, email, DEMO_PASSWORD, "198.51.100.200")[1:]
    assert status == 200 and b"Too many failed attempts" in body
    assert _api(host, email, DEMO_PASSWORD, "198.51.100.201") == (429, "login_throttled")
    # … other accounts are not …
    assert _form(host, "learner2@demo.test", DEMO_PASSWORD, "198.51.100.200")[1] == 302
    # … and its owner signs in from the usual address with the right password.
    assert _form(host, email, DEMO_PASSWORD, "192.0.2.10")[1] == 302
    assert _api(host, email, DEMO_PASSWORD, "192.0.2.10") == (200, "token")


def test_a_reset_link_lets_the_owner_in_from_a_new_address(demo, mailoutbox):
    host = host_of(demo)
    email = "learner2@demo.test"
    for n in range(10):
        _form(host, email, WRONG, f"203.0.113.{n + 1}")
    assert _api(host, email, DEMO_PASSWORD, "192.0.2.77") == (429, "login_throttled")
    phone = Client(HTTP_HOST=host, REMOTE_ADDR="192.0.2.77")
    assert phone.post("/accounts/password-reset/", {"email": email}).status_code == 302
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/accounts/reset/" in line).strip()
    form = phone.get(link[link.index("/accounts/reset/"):], follow=True)
    done = phone.post(form.redirect_chain[-1][0], {"new_password1": "fresh-passw0rd-2027",
                                                   "new_password2": "fresh-passw0rd-2027"})
    assert done.status_code == 302
    assert _form(host, email, "fresh-passw0rd-2027", "192.0.2.77")[1] == 302
    assert _api(host, email, "fresh-passw0rd-2027", "192.0.2.78") == (200, "token")  # counters forgotten


def test_one_address_spraying_many_accounts_is_stopped_there_only(demo):
    host = host_of(demo)
    for n in range(20):  # one guess per account: no account limit is reached
        assert _form(host, f"nobody{n}@demo.test", WRONG, "198.51.100.66")[1] == 200
    status, body = _form(host, "learner1@demo.test", DEMO_PASSWORD, "198.51.100.66")[1:]
    assert status == 200 and b"Too many failed attempts" in body
    assert _api(host, "learner1@demo.test", DEMO_PASSWORD, "198.51.100.66") == (429, "login_throttled")
    assert _form(host, "learner1@demo.test", DEMO_PASSWORD, "198.51.100.67")[1] == 302


def test_five_failures_of_one_pair_apply_on_the_api_and_the_form_alike(demo, acme):
    host = host_of(demo)
    for _ in range(3):
        assert _api(host, "admin@demo.test", WRONG, "192.0.2.5") == (400, "invalid_credentials")
    for _ in range(2):
        assert _form(host, "admin@demo.test", WRONG, "192.0.2.5")[1] == 200
    assert _api(host, "admin@demo.test", DEMO_PASSWORD, "192.0.2.5") == (429, "login_throttled")
    assert b"Too many failed attempts" in _form(host, "admin@demo.test", DEMO_PASSWORD, "192.0.2.5")[2]
    # The same e-mail in another organisation is another account with its own counters.
    assert _api(host_of(acme), "admin@acme.test", DEMO_PASSWORD, "192.0.2.5") == (200, "token")


def test_the_api_rate_limit_ignores_x_forwarded_for_and_is_per_organisation(demo, acme):
    host = host_of(demo)
    # REST_FRAMEWORK's "login" rate is 10/min: a client forging a new X-Forwarded-For each time is one address.
    for n in range(10):
        status, _code = _api(host, f"nobody{n}@demo.test", WRONG, "198.51.100.9",
                             HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        assert status == 400
    assert _api(host, "learner1@demo.test", DEMO_PASSWORD, "198.51.100.9",
                HTTP_X_FORWARDED_FOR="10.9.9.9") == (429, "throttled")
    # Another organisation's users behind the same address are not throttled by demo's traffic.
    assert _api(host_of(acme), "learner1@acme.test", DEMO_PASSWORD, "198.51.100.9") == (200, "token")
