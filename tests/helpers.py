"""Plain helpers the tests import (conftest files only define fixtures): API clients and tokens, hosts,
unique names. Model rows are made by the factories of `tests/factories.py`."""

from __future__ import annotations

import contextlib
import threading
import uuid

from django.test import Client
from rest_framework.test import APIClient

from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant


def unique(prefix: str = "x") -> str:
    """Unique across the session: tenant-schema rows are not flushed after transactional tests."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def host_of(tenant: Tenant) -> str:
    return tenant.get_primary_domain().domain


def api_client(host: str, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def api_token(host: str, email: str, password: str = DEMO_PASSWORD) -> str:
    response = api_client(host).post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def client_for(host: str, email: str) -> APIClient:
    """An API client of `email` (demo password) on `host`, with a token obtained through the API."""
    return api_client(host, api_token(host, email))


def console_client(email: str = "operator@demo.test", **extra: object) -> Client:
    """A client of the operator console signed in as `email` with both factors: a password session (forced)
    and a verified TOTP device in the session, as after /console/otp/ (the sign-in itself is tested in
    tests/console/test_access.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mooc_platform.accounts.models import User

    user = User.objects.get(email=email)
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True))
    client = Client(HTTP_HOST="localhost", **extra)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def celery_worker_wake() -> None:
    """time-machine moves time.monotonic too. The session's Celery worker thread (tests/conftest.py) may be in
    kombu's drain_events with a timeout counted from a moved start (2027, say): back on the real clock it never
    times out, so it would neither see new work nor stop at the end of the session. A message wakes it."""
    from mooc_platform.tasks import worker_ping

    if any(thread.name.endswith("(start)") for thread in threading.enumerate()):
        with contextlib.suppress(Exception):
            worker_ping.apply_async()
