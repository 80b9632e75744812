"""The first administrator (and any invited user) chooses a password from a one-time link (SPEC R2, R3)."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from mooc_platform.accounts.invitations import invitation_path
from mooc_platform.accounts.models import User
from tests.tenants.helpers import unique_slug


def _admin_path(tenant) -> str:  # type: ignore[no-untyped-def]
    with schema_context(tenant.schema_name):
        return invitation_path(user=User.objects.get(email=f"admin@{tenant.slug}.test"))


def test_invitation_link_sets_a_password_once_then_the_user_logs_in(db) -> None:
    from tenants.services import tenant_provision

    slug = unique_slug("inv")
    tenant = tenant_provision(slug=slug, name="Inv", admin_email=f"admin@{slug}.test")
    path = _admin_path(tenant)
    # The organisation speaks French (the provisioning default); this visitor chose English (language cookie).
    client = Client(HTTP_HOST=f"{slug}.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(path).status_code == 200

    trivial = client.post(path, {"new_password1": "12345678", "new_password2": "12345678"})
    assert trivial.status_code == 200
    assert b"This password is too short" in trivial.content
    assert b"This password is entirely numeric" in trivial.content

    done = client.post(path, {"new_password1": "blue-Harbour-2031", "new_password2": "blue-Harbour-2031"})
    assert (done.status_code, done["Location"]) == (302, "/login/")
    assert client.get(path).status_code == 404  # used once
    login = client.post("/login/", {"username": f"admin@{slug}.test", "password": "blue-Harbour-2031"})
    assert (login.status_code, login["Location"]) == (302, "/")


def test_invitation_link_of_one_tenant_is_refused_on_another(make_tenant) -> None:
    first, second = make_tenant(), make_tenant()
    with schema_context(first.schema_name):
        user = User.objects.create_user("new@x.test", None)
        path = invitation_path(user=user)
    assert Client(HTTP_HOST=f"{first.slug}.localhost").get(path).status_code == 200
    assert Client(HTTP_HOST=f"{second.slug}.localhost").get(path).status_code == 404


def test_invitation_link_expires_after_14_days(make_tenant) -> None:
    tenant = make_tenant()
    with schema_context(tenant.schema_name):
        user = User.objects.create_user("late@x.test", None)
        path = invitation_path(user=user)
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    with time_machine.travel(timezone.now() + timedelta(days=13, hours=23), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=14, hours=1), tick=False):
        assert client.get(path).status_code == 404
    assert client.get("/invitation/garbage/").status_code == 404
