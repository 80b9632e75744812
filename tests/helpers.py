"""Plain helpers the tests import (conftest files only define fixtures): API clients and tokens, hosts,
unique names. Model rows are made by the factories of `tests/factories.py`."""

from __future__ import annotations

import uuid

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
