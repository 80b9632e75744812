"""`/api/v1/webhooks/` (SPEC §4): the administrators' endpoints, their deliveries; errors in the envelope."""

from __future__ import annotations

from django_tenants.utils import schema_context

from integrations.models import WebhookEndpoint
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.helpers import client_for

HOST = "demo.localhost"


def test_register_read_edit_and_delete_an_endpoint(demo: Tenant, queued: list[int],
                                                   django_capture_on_commit_callbacks) -> None:
    admin = client_for(HOST, "admin@demo.test")
    response = admin.post("/api/v1/webhooks/", {"url": "https://lms.example.edu/hooks", "description": "LMS",
                                                "events": ["certificate.issued", "enrollment.created"]},
                          format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["events"] == ["enrollment.created", "certificate.issued"]  # the catalogue's order
    assert created["secret"].startswith("whsec_") and created["is_active"] is True
    assert admin.get("/api/v1/webhooks/").json()["results"][0]["url"] == "https://lms.example.edu/hooks"

    rotated = admin.post(f"/api/v1/webhooks/{created['id']}/rotate-secret/").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    patched = admin.patch(f"/api/v1/webhooks/{created['id']}/", {"events": ["invoice.paid"], "is_active": False},
                          format="json").json()
    assert patched["events"] == ["invoice.paid"] and patched["is_active"] is False
    assert patched["disabled_reason"] == "disabled by an administrator"

    with django_capture_on_commit_callbacks(execute=True):
        ping = admin.post(f"/api/v1/webhooks/{created['id']}/ping/")
    assert ping.status_code == 202 and ping.json()["event_type"] == "webhook.ping" and len(queued) == 1
    deliveries = admin.get(f"/api/v1/webhooks/{created['id']}/deliveries/").json()
    assert deliveries["count"] == 1 and deliveries["results"][0]["status"] == "pending"
    replay = admin.post(f"/api/v1/webhooks/{created['id']}/deliveries/{ping.json()['id']}/replay/")
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "conflict"  # never attempted yet

    assert admin.delete(f"/api/v1/webhooks/{created['id']}/").status_code == 204
    missing = admin.get(f"/api/v1/webhooks/{created['id']}/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_bad_urls_and_events_are_400s_in_the_envelope(demo: Tenant) -> None:
    admin = client_for(HOST, "admin@demo.test")
    plain = admin.post("/api/v1/webhooks/", {"url": "http://lms.example.edu/", "events": ["user.created"]},
                       format="json")
    assert plain.status_code == 400
    assert plain.json() == {"error": {"code": "webhook_url_invalid", "message": "The endpoint must use HTTPS.",
                                      "details": {"url": ["The endpoint must use HTTPS."]}}}
    unknown = admin.post("/api/v1/webhooks/", {"url": "https://a.example/", "events": ["user.exploded"]},
                         format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "validation_error"
    assert list(unknown.json()["error"]["details"]) == ["events"]
    with schema_context(demo.schema_name):
        assert not WebhookEndpoint.objects.exists()


def test_learners_and_instructors_cannot_see_webhooks(demo: Tenant) -> None:
    for email in ("learner1@demo.test", "instructor@demo.test"):
        response = client_for(HOST, email).get("/api/v1/webhooks/")
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_the_openapi_schema_documents_the_webhook_payloads_and_the_recipe(demo: Tenant) -> None:
    schema = client_for(HOST, "admin@demo.test").get("/api/schema/?format=json").json()
    assert "HMAC_SHA256(secret, f\"{timestamp}.{raw_body}\")" in schema["info"]["description"]
    assert "|now - timestamp| > 300" in schema["info"]["description"]
    assert set(schema["x-webhooks"]) == {
        "user.created", "user.deactivated", "enrollment.created", "lesson.completed", "quiz.submitted",
        "course.completed",
        "certificate.issued", "invoice.issued", "invoice.paid", "tenant.lifecycle_changed", "maintenance.scheduled"}
    certificate = schema["components"]["schemas"]["WebhookEventCertificateIssued"]
    data = schema["components"]["schemas"][certificate["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    assert {"certificate_id", "code", "score", "user"} <= set(data["properties"])
    assert schema["paths"]["/api/v1/webhooks/"]["get"]["tags"] == ["webhooks"]
    assert schema["paths"]["/api/v1/api-keys/"]["post"]["tags"] == ["api-keys"]


def test_administrator_pages_register_and_delete_with_confirmation(demo: Tenant, demo_client) -> None:
    with schema_context(demo.schema_name):
        demo_client.force_login(User.objects.get(email="admin@demo.test"))
    page = demo_client.get("/integrations/webhooks/")
    assert page.status_code == 200 and b"No endpoint yet." in page.content
    bad = demo_client.post("/integrations/webhooks/", {"url": "http://x.example/", "events": ["user.created"]})
    assert bad.status_code == 400 and "The endpoint must use HTTPS." in bad.content.decode()
    done = demo_client.post("/integrations/webhooks/", {"url": "https://x.example/h", "events": ["user.created"],
                                                        "is_active": "on"})
    with schema_context(demo.schema_name):
        endpoint = WebhookEndpoint.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/integrations/webhooks/{endpoint.pk}/"
    detail = demo_client.get(done["Location"]).content.decode()
    assert endpoint.secret in detail and "No delivery yet." in detail
    # Replacing the secret asks first, then says what to do.
    asked = demo_client.get(f"/integrations/webhooks/{endpoint.pk}/rotate-secret/").content.decode()
    assert "The endpoint https://x.example/h gets a new secret at once" in asked
    with schema_context(demo.schema_name):
        assert WebhookEndpoint.objects.get().secret == endpoint.secret  # a GET replaces nothing
    rotated = demo_client.post(f"/integrations/webhooks/{endpoint.pk}/rotate-secret/", follow=True).content.decode()
    assert "New secret: update your receiver, the old one no longer signs." in rotated
    with schema_context(demo.schema_name):
        assert WebhookEndpoint.objects.get().secret != endpoint.secret
    confirm = demo_client.get(f"/integrations/webhooks/{endpoint.pk}/delete/")
    assert "Delete the endpoint https://x.example/h and its delivery log?" in confirm.content.decode()
    with schema_context(demo.schema_name):
        assert WebhookEndpoint.objects.exists()  # a GET deletes nothing
    deleted = demo_client.post(f"/integrations/webhooks/{endpoint.pk}/delete/", follow=True)
    assert deleted.redirect_chain == [("/integrations/webhooks/", 302)]
    assert "Endpoint deleted." in deleted.content.decode()
    with schema_context(demo.schema_name):
        assert not WebhookEndpoint.objects.exists()


def test_api_keys_page_shows_the_key_once(demo: Tenant, demo_client) -> None:
    with schema_context(demo.schema_name):
        demo_client.force_login(User.objects.get(email="admin@demo.test"))
    response = demo_client.post("/integrations/api-keys/", {"name": "Reporting", "scopes": ["read"],
                                                            "rate_limit_per_minute": "60"})
    assert response.status_code == 201
    shown = response.content.decode()
    assert "Copy it now: it will not be shown again." in shown
    with schema_context(demo.schema_name):
        from integrations.models import ApiKey

        key = ApiKey.objects.get()
    assert f"mk_{key.prefix}_" in shown
    again = demo_client.get("/integrations/api-keys/").content.decode()
    assert "Reporting" in again and "Copy it now" not in again and f"mk_{key.prefix}_…" in again
    confirm = demo_client.get(f"/integrations/api-keys/{key.pk}/revoke/").content.decode()
    assert "The key “Reporting” stops working at once: every program that uses it is refused." in confirm
    assert ('<button type="submit" class="danger" data-testid="api-key-revoke-confirm">Revoke the key</button>'
            in confirm)
    with schema_context(demo.schema_name):
        assert ApiKey.objects.get().revoked_at is None  # a GET revokes nothing
    revoked = demo_client.post(f"/integrations/api-keys/{key.pk}/revoke/", follow=True)
    assert revoked.redirect_chain == [("/integrations/api-keys/", 302)]
    assert "Key “Reporting” revoked." in revoked.content.decode()
    with schema_context(demo.schema_name):
        assert ApiKey.objects.get().revoked_at is not None
