"""API keys (issue 17 item 4): created by administrators and shown once, stored hashed; scopes enforced,
expiry, revocation, last use, a rate limit per key with RateLimit-* headers; errors in the error envelope."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from django_tenants.utils import schema_context

from integrations.models import ApiKey
from tests.helpers import api_client, client_for

HOST = "demo.localhost"
T0 = datetime(2027, 5, 4, 10, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_counters(db: None) -> None:
    caches["shared"].clear()


def _create(admin, **body) -> dict:
    response = admin.post("/api/v1/api-keys/", {"name": "LMS sync", "scopes": ["read"], **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _key_client(key: str):
    client = api_client(HOST)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_the_key_is_shown_once_and_stored_hashed(demo) -> None:
    admin = client_for(HOST, "admin@demo.test")
    created = _create(admin, rate_limit_per_minute=30)
    key = created["key"]
    assert key.startswith(f"mk_{created['prefix']}_") and len(key) > 40
    assert created["scopes"] == ["read"] and created["rate_limit_per_minute"] == 30
    assert created["created_by_email"] == "admin@demo.test" and created["last_used_at"] is None
    with schema_context(demo.schema_name):
        stored = ApiKey.objects.get(pk=created["id"])
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in stored.key_hash
    listed = admin.get("/api/v1/api-keys/").json()["results"]
    assert [row["name"] for row in listed] == ["LMS sync"] and "key" not in listed[0]
    assert "key" not in admin.get(f"/api/v1/api-keys/{created['id']}/").json()


def test_scopes_are_enforced(demo) -> None:
    admin = client_for(HOST, "admin@demo.test")
    reader = _key_client(_create(admin, scopes=["read"])["key"])
    users = reader.get("/api/v1/users/")
    assert users.status_code == 200 and "admin@demo.test" in users.content.decode()
    assert reader.get("/api/v1/courses/").status_code == 200
    refused = reader.post("/api/v1/enrollments/", {"course": 1, "user": 1}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"error": {
        "code": "api_key_scope_missing", "message": "This API key's scopes do not allow this request.",
        "details": {"required_scope": "enrollments", "key_scopes": ["read"], "method": "POST"}}}
    # Never the people-only endpoints: tokens, API keys, billing.
    for path in ("/api/v1/api-keys/", "/api/v1/me/tokens/", "/api/v1/billing/invoices/"):
        response = reader.get(path)
        assert response.status_code == 403 and response.json()["error"]["code"] == "api_key_scope_missing", path

    enrolments_only = _key_client(_create(admin, name="Enrolments", scopes=["enrollments"])["key"])
    assert enrolments_only.get("/api/v1/enrollments/").status_code == 200
    assert enrolments_only.get("/api/v1/users/").json()["error"]["details"]["required_scope"] == "users"
    webhooks = _key_client(_create(admin, name="Hooks", scopes=["webhooks"])["key"])
    created = webhooks.post("/api/v1/webhooks/", {"url": "https://hooks.example.com/a", "events": ["user.created"]},
                            format="json")
    assert created.status_code == 201 and created.json()["events"] == ["user.created"]


def test_unknown_scope_and_past_expiry_are_refused_in_the_envelope(demo) -> None:
    admin = client_for(HOST, "admin@demo.test")
    response = admin.post("/api/v1/api-keys/", {"name": "x", "scopes": ["everything"]}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"
    assert "scopes" in response.json()["error"]["details"]
    with time_machine.travel(T0, tick=False):
        response = admin.post("/api/v1/api-keys/", {"name": "x", "scopes": ["read"],
                                                    "expires_at": "2027-05-04T09:00:00Z"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "api_key_expiry_invalid"


def test_an_expired_key_is_refused(demo) -> None:
    admin = client_for(HOST, "admin@demo.test")
    with time_machine.travel(T0, tick=False):
        key = _create(admin, expires_at="2027-05-05T10:00:00Z")["key"]
        assert _key_client(key).get("/api/v1/me/").status_code == 200
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        response = _key_client(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "authentication_failed",
                                        "message": "Invalid, expired or revoked API key.", "details": {}}
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_key_is_refused_at_once_and_last_use_is_recorded(demo) -> None:
    admin = client_for(HOST, "admin@demo.test")
    created = _create(admin)
    key = _key_client(created["key"])
    with time_machine.travel(T0, tick=False):
        assert key.get("/api/v1/courses/").status_code == 200
    assert admin.get(f"/api/v1/api-keys/{created['id']}/").json()["last_used_at"] == "2027-05-04T10:00:30Z"
    revoked = admin.post(f"/api/v1/api-keys/{created['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert key.get("/api/v1/courses/").status_code == 401
    again = admin.post(f"/api/v1/api-keys/{created['id']}/revoke/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "api_key_revoked"


def test_a_key_stops_with_its_creators_administrator_role(demo) -> None:
    from mooc_platform.accounts.models import User

    admin = client_for(HOST, "admin@demo.test")
    key = _key_client(_create(admin)["key"])
    with schema_context(demo.schema_name):
        User.objects.filter(email="admin@demo.test").update(role=User.Role.INSTRUCTOR)
    assert key.get("/api/v1/courses/").status_code == 401


def test_rate_limit_per_key_with_headers(demo) -> None:
    admin = client_for(HOST, "admin@demo.test")
    first = _key_client(_create(admin, rate_limit_per_minute=2)["key"])
    second = _key_client(_create(admin, name="Other", rate_limit_per_minute=2)["key"])
    with time_machine.travel(T0, tick=False):
        one, two, three = (first.get("/api/v1/courses/") for _ in range(3))
        other = second.get("/api/v1/courses/")
    assert [(r.status_code, r["RateLimit-Limit"], r["RateLimit-Remaining"], r["RateLimit-Reset"])
            for r in (one, two, three)] == [(200, "2", "1", "30"), (200, "2", "0", "30"), (429, "2", "0", "30")]
    assert three.json()["error"]["code"] == "throttled" and three["Retry-After"] == "30"
    assert (other.status_code, other["RateLimit-Remaining"]) == (200, "1")  # per key, not per tenant
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert first.get("/api/v1/courses/")["RateLimit-Remaining"] == "1"  # a new minute
    # Tokens and sessions carry no RateLimit headers.
    assert "RateLimit-Limit" not in admin.get("/api/v1/courses/")


def test_only_administrators_manage_keys(demo) -> None:
    learner = client_for(HOST, "learner1@demo.test")
    assert learner.get("/api/v1/api-keys/").status_code == 403
    response = learner.post("/api/v1/api-keys/", {"name": "x", "scopes": ["read"]}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_a_malformed_key_header_is_a_401_not_a_500(demo) -> None:
    for header in ("Api-Key", "Api-Key a b", "Api-Key mk_zz_short", "Api-Key \xe9t\xe9"):
        client = api_client(HOST)
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/v1/me/")
        assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed", header
