"""The administrators' LTI pages (/manage/lti/): register, list, edit and delete (after confirming) platform
registrations; the tool's addresses to give the LMS; administrators only, and one organisation's registrations stay
invisible to another's."""

from __future__ import annotations

import html

from django.test import Client
from django_tenants.utils import schema_context

from lti.models import LtiPlatform
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.helpers import host_of

FORM = {"name": "Campus Moodle", "issuer": "https://moodle.university.example", "client_id": "abc123",
        "deployment_ids": "1\n2", "auth_login_url": "https://moodle.university.example/mod/lti/auth.php",
        "auth_token_url": "https://moodle.university.example/mod/lti/token.php",
        "key_set_url": "https://moodle.university.example/mod/lti/certs.php", "auth_audience": "",
        "is_active": "on"}


def _client(tenant: Tenant, email: str) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=email))
    return client


def test_an_administrator_registers_edits_and_deletes_a_platform(demo: Tenant) -> None:
    admin = _client(demo, "admin@demo.test")
    page = admin.get("/manage/lti/")
    text = html.unescape(page.content.decode())
    assert page.status_code == 200 and "No platform yet." in text
    assert f"http://{host_of(demo)}/lti/login/" in text and f"http://{host_of(demo)}/.well-known/jwks.json" in text
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]

    refused = admin.post("/manage/lti/", FORM | {"deployment_ids": " ", "key_set_url": "ftp://x"})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"deployment_ids": ["This field is required."]}
    refused = admin.post("/manage/lti/", FORM | {"key_set_url": "ftp://x"})
    assert refused.context["form"].errors == {"key_set_url": ["Enter an address starting with https://."]}

    created = admin.post("/manage/lti/", FORM)
    assert created.status_code == 302
    with schema_context(demo.schema_name):
        platform = LtiPlatform.objects.get()
    assert created["Location"] == f"/manage/lti/{platform.pk}/"
    assert platform.deployment_ids == ["1", "2"] and platform.client_id == "abc123"
    assert admin.post("/manage/lti/", FORM).context["form"].errors == {
        "client_id": ["Already registered for this issuer."]}

    listing = admin.get("/manage/lti/")
    assert "Campus Moodle" in listing.content.decode()
    edited = admin.post(f"/manage/lti/{platform.pk}/", FORM | {"name": "Moodle (new)", "deployment_ids": "3"})
    assert edited.status_code == 302
    with schema_context(demo.schema_name):
        platform.refresh_from_db()
    assert (platform.name, platform.deployment_ids) == ("Moodle (new)", ["3"])

    confirm = admin.get(f"/manage/lti/{platform.pk}/delete/")
    assert "Delete the platform Moodle (new)?" in html.unescape(confirm.content.decode())
    deleted = admin.post(f"/manage/lti/{platform.pk}/delete/")
    assert deleted.status_code == 302 and deleted["Location"] == "/manage/lti/"
    with schema_context(demo.schema_name):
        assert not LtiPlatform.objects.exists()
        from tenants.models import AuditEvent

        actions = list(AuditEvent.objects.filter(action__startswith="lti_platform.").order_by("id")
                       .values_list("action", flat=True))
    assert actions == ["lti_platform.created", "lti_platform.updated", "lti_platform.deleted"]


def test_only_administrators_reach_the_pages_and_another_organisation_sees_nothing(demo: Tenant, acme: Tenant) -> None:
    admin = _client(demo, "admin@demo.test")
    admin.post("/manage/lti/", FORM)
    with schema_context(demo.schema_name):
        platform = LtiPlatform.objects.get()
    instructor = _client(demo, "instructor@demo.test")
    assert instructor.get("/manage/lti/").status_code == 403
    assert instructor.post(f"/manage/lti/{platform.pk}/delete/").status_code == 403
    anonymous = Client(HTTP_HOST=host_of(demo))
    assert anonymous.get("/manage/lti/").status_code == 302
    other = _client(acme, "admin@acme.test")
    assert other.get(f"/manage/lti/{platform.pk}/").status_code == 404
    assert other.post(f"/manage/lti/{platform.pk}/delete/").status_code == 404
    assert "Campus Moodle" not in other.get("/manage/lti/").content.decode()
    with schema_context(demo.schema_name):
        assert LtiPlatform.objects.filter(pk=platform.pk).exists()
    # Each organisation publishes its own key.
    demo_keys = Client(HTTP_HOST=host_of(demo)).get("/.well-known/jwks.json").json()["keys"]
    acme_keys = Client(HTTP_HOST=host_of(acme)).get("/.well-known/jwks.json").json()["keys"]
    assert demo_keys[0]["kid"] != acme_keys[0]["kid"]


def test_the_pages_speak_french_on_acme(acme: Tenant) -> None:
    admin = _client(acme, "admin@acme.test")
    text = html.unescape(admin.get("/manage/lti/").content.decode())
    assert "Plateformes LTI" in text and "Enregistrer une plateforme" in text
    assert "Register a platform" not in text
