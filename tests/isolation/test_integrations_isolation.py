"""Isolation of the integrations (issue 17): one organisation's webhook endpoints, deliveries and API keys are
invisible to another, and an API key works only on the host of the organisation that created it, on every
tenant API route (read from the urlconf, like tests/isolation/test_cross_tenant.py)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from integrations.services.api_keys import api_key_create
from integrations.services.webhooks import webhook_endpoint_create, webhook_event_record
from mooc_platform.accounts.models import User
from tests.helpers import api_client, client_for

from .test_cross_tenant import TENANT_API_ROUTES, _fill

DEMO_URL = "https://demo-only-receiver.example/hook"


@pytest.fixture
def demo_integrations(demo, monkeypatch) -> dict:
    from integrations.services import webhooks

    monkeypatch.setattr(webhooks, "_deliveries_queue", lambda **kwargs: None)
    with schema_context(demo.schema_name):
        admin = User.objects.get(email="admin@demo.test")
        endpoint = webhook_endpoint_create(url=DEMO_URL, events=["user.created"], actor=admin,
                                           description="demo-only endpoint")
        delivery = webhook_event_record(event_type="user.created", data={"marker": "demo-only-event"})[0]
        api_key, raw_key = api_key_create(name="demo-only key", scopes=["read", "users", "enrollments", "courses",
                                                                         "certificates", "webhooks"], actor=admin)
    return {"endpoint": endpoint, "delivery": delivery, "api_key": api_key, "raw_key": raw_key}


MARKERS = (DEMO_URL, "demo-only", "whsec_")


def test_acmes_administrator_sees_none_of_demos_endpoints_deliveries_or_keys(demo_integrations: dict, acme) -> None:
    acme_admin = client_for("acme.localhost", "admin@acme.test")
    endpoint, delivery, api_key = (demo_integrations[k] for k in ("endpoint", "delivery", "api_key"))
    for path in ("/api/v1/webhooks/", "/api/v1/api-keys/", f"/api/v1/webhooks/{endpoint.pk}/",
                 f"/api/v1/webhooks/{endpoint.pk}/deliveries/", f"/api/v1/api-keys/{api_key.pk}/"):
        response = acme_admin.get(path)
        assert response.status_code in (200, 404), path
        assert not any(m in response.content.decode() for m in MARKERS), path
        if response.status_code == 200:
            assert response.json()["results"] == [], path
    for path in (f"/api/v1/webhooks/{endpoint.pk}/ping/",
                 f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/",
                 f"/api/v1/api-keys/{api_key.pk}/revoke/"):
        assert acme_admin.post(path).status_code == 404, path
    assert acme_admin.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    demo_admin = client_for("demo.localhost", "admin@demo.test")
    assert demo_admin.get(f"/api/v1/webhooks/{endpoint.pk}/").json()["url"] == DEMO_URL  # untouched
    assert demo_admin.get(f"/api/v1/api-keys/{api_key.pk}/").json()["revoked_at"] is None


@pytest.mark.parametrize("route", TENANT_API_ROUTES)
def test_a_demo_api_key_is_refused_on_acmes_host(route: str, demo_integrations: dict) -> None:
    client = api_client("acme.localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {demo_integrations['raw_key']}")
    path = _fill(route, "1")
    for method in ("get", "post", "patch", "delete"):
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code in (401, 404, 405), (method, path, response.status_code)
        assert not any(m in response.content.decode() for m in MARKERS), (method, path)
