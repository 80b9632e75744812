"""Who opens the console (issue 12 item 5): an operator with a password *and* a second factor (TOTP or a
single-use recovery code); the session ends after inactivity; the Django admin underneath asks the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import AuditEvent

from .conftest import DEMO_SECRET_HEX, totp_code

NOW = datetime(2026, 6, 3, 9, 0, 10, tzinfo=UTC)


def _password(client: Client, email: str = "operator@demo.test") -> None:
    response = client.post("/console/login/", {"username": email, "password": DEMO_PASSWORD, "next": "/console/"})
    assert response.status_code == 302 and response["Location"].startswith("/console/otp/"), response.content[:500]


def test_anonymous_is_sent_to_the_console_sign_in(db) -> None:
    for url in ("/console/", "/console/organisations/", "/console/tenants/tenant/"):
        response = Client(HTTP_HOST="localhost").get(url)
        assert response.status_code == 302 and response["Location"].startswith("/console/login/"), url


def test_a_password_alone_does_not_open_the_console_nor_the_admin(db) -> None:
    client = Client(HTTP_HOST="localhost")
    _password(client)
    for url in ("/console/", "/console/invoices/", "/console/tenants/supportaccessgrant/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/console/otp/"), url


def test_the_demo_operator_signs_in_with_the_fixed_totp_secret_of_the_spec(db) -> None:
    device = TOTPDevice.objects.get(user__email="operator@demo.test", confirmed=True)
    assert device.key == DEMO_SECRET_HEX and device.step == 30 and device.digits == 6
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="203.0.113.21")
    with time_machine.travel(NOW, tick=False):
        _password(client)
        wrong = client.post("/console/otp/", {"token": "000000", "next": "/console/"})
        assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
        assert client.get("/console/").status_code == 302
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
        right = client.post("/console/otp/", {"token": totp_code(DEMO_SECRET_HEX), "next": "/console/organisations/"})
        assert right.status_code == 302 and right["Location"] == "/console/organisations/"
        assert client.get("/console/").status_code == 200
        assert client.get("/console/tenants/tenant/").status_code == 200
    event = AuditEvent.objects.get(action="operator.signed_in")
    assert (event.actor_email, event.ip_address, event.after) == ("operator@demo.test", "203.0.113.21",
                                                                   {"factor": "TOTPDevice"})


def test_a_code_is_accepted_once(db) -> None:
    with time_machine.travel(NOW, tick=False):
        first, second = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
        _password(first)
        _password(second)
        code = totp_code(DEMO_SECRET_HEX)
        assert first.post("/console/otp/", {"token": code})["Location"] == "/console/"
        replay = second.post("/console/otp/", {"token": code})
        assert replay.status_code == 200 and second.get("/console/").status_code == 302


def test_a_new_operator_enrols_an_authenticator_and_gets_ten_single_use_recovery_codes(db) -> None:
    User.objects.create_user("new.operator@demo.test", DEMO_PASSWORD, role=User.Role.OPERATOR)
    client = Client(HTTP_HOST="localhost")
    with time_machine.travel(NOW, tick=False):
        _password(client, "new.operator@demo.test")
        assert client.get("/console/otp/")["Location"].startswith("/console/otp/setup/")
        setup = client.get("/console/otp/setup/")
        assert setup.status_code == 200 and b"<svg" in setup.content
        device = TOTPDevice.objects.get(user__email="new.operator@demo.test", confirmed=False)
        assert client.post("/console/otp/setup/", {"token": "123456"}).status_code == 200  # wrong code: stays
    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):  # past the throttling delay
        done = client.post("/console/otp/setup/", {"token": totp_code(device.key)})
        assert done.status_code == 200
        codes = done.context["codes"]
        assert len(codes) == 10 and len(set(codes)) == 10
        assert client.get("/console/").status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is True

    later = Client(HTTP_HOST="localhost")
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        _password(later, "new.operator@demo.test")
        assert later.post("/console/otp/", {"token": codes[0]})["Location"] == "/console/"
    again = Client(HTTP_HOST="localhost")
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        _password(again, "new.operator@demo.test")
        assert again.post("/console/otp/", {"token": codes[0]}).status_code == 200  # used up
    assert StaticToken.objects.filter(device__user__email="new.operator@demo.test").count() == 9
    assert set(AuditEvent.objects.filter(actor_email="new.operator@demo.test").values_list("action", flat=True)) \
        == {"operator.totp_enrolled", "operator.recovery_codes_issued", "operator.signed_in"}


def test_a_non_operator_account_cannot_sign_in_to_the_console(db) -> None:
    User.objects.create_user("someone@demo.test", DEMO_PASSWORD, role=User.Role.LEARNER)
    response = Client(HTTP_HOST="localhost").post("/console/login/", {"username": "someone@demo.test",
                                                                      "password": DEMO_PASSWORD})
    assert response.status_code == 200 and "not an operator account" in response.content.decode()


def test_the_console_does_not_exist_on_a_tenant_host(demo) -> None:
    assert Client(HTTP_HOST="demo.localhost").get("/console/").status_code == 404


@override_settings(CONSOLE_SESSION_IDLE_SECONDS=600)
@pytest.mark.parametrize(("idle", "open_"), [(timedelta(seconds=600), True), (timedelta(seconds=601), False)])
def test_the_session_expires_after_the_configured_inactivity(db, idle, open_) -> None:
    client = Client(HTTP_HOST="localhost")
    with time_machine.travel(NOW, tick=False):
        _password(client)
        client.post("/console/otp/", {"token": totp_code(DEMO_SECRET_HEX)})
        assert client.get("/console/").status_code == 200
    with time_machine.travel(NOW + idle, tick=False):
        response = client.get("/console/organisations/")
        if open_:
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and response["Location"].startswith("/console/login/")
            page = client.get(response["Location"])
            assert "period of inactivity" in page.content.decode()
            assert client.get("/console/").status_code == 302  # signed out, not only redirected once
