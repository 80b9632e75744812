"""SPEC R29 pages: the platform's legal notice (publisher from settings), privacy notice and sub-processors (from
settings); each organisation's own privacy notice, written by its administrators; all linked from every footer."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.errors import ForbiddenError
from privacy import services
from privacy.models import TenantPrivacyNotice
from tenants.models import AuditEvent
from tests.helpers import host_of

pytestmark = pytest.mark.django_db


def _signed_in(tenant, email):  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=email))
    return client


def test_the_platform_publishes_who_it_is_and_who_processes_data_for_it(settings) -> None:
    settings.INVOICING_SELLER = {**settings.INVOICING_SELLER, "name": "Plateforme Exemple SAS", "siren": "552100554"}
    settings.PLATFORM_SUBPROCESSORS = [{"name": "Mailer & Co", "purpose": "E-mails", "location": "Ireland (EU)"}]
    client = Client(HTTP_HOST="localhost")
    legal = client.get("/legal/").content.decode()
    assert "Plateforme Exemple SAS" in legal and "SIREN 552100554" in legal
    assert settings.PLATFORM_LEGAL["director"] in legal
    processors = client.get("/legal/sub-processors/").content.decode()
    assert "<td>Mailer &amp; Co</td><td>E-mails</td><td>Ireland (EU)</td>" in processors
    privacy = client.get("/privacy/").content.decode()
    assert "How Plateforme Exemple SAS processes personal data" in privacy
    assert "anonymised 365 days after its deactivation" in privacy
    for page in (legal, processors, privacy, client.get("/").content.decode()):
        assert 'href="/privacy/" data-testid="privacy-link"' in page and 'href="/legal/"' in page
    french = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="fr").get("/legal/").content.decode()
    assert "Mentions légales" in french and "Directeur de la publication" in french
    settings.PLATFORM_SUBPROCESSORS = []
    assert "No sub-processor" in client.get("/legal/sub-processors/").content.decode()


def test_an_administrator_writes_the_organisations_notice_every_user_reads_it(demo) -> None:
    learner = _signed_in(demo, "learner1@demo.test")
    TenantPrivacyNotice.objects.filter(tenant=demo).delete()
    empty = learner.get("/privacy/").content.decode()
    assert 'data-testid="tenant-notice-empty"' in empty and "How " in empty
    assert learner.get("/privacy/edit/").status_code == 403
    assert learner.post("/privacy/edit/", {"text": "Mine"}).status_code == 403
    admin = _signed_in(demo, "admin@demo.test")
    response = admin.post("/privacy/edit/", {"text": "We keep grades 5 years.\n\nAsk dpo@demo.example."},
                          follow=True)
    assert "The privacy notice is published." in response.content.decode()
    page = learner.get("/privacy/").content.decode()
    assert "<p>We keep grades 5 years.</p>" in page and "<p>Ask dpo@demo.example.</p>" in page
    assert 'data-testid="privacy-link"' in learner.get("/courses/").content.decode()
    event = AuditEvent.objects.filter(action="privacy_notice.updated", tenant=demo).latest("id")
    assert event.actor_email == "admin@demo.test" and event.after == {"length": 46}
    too_long = admin.post("/privacy/edit/", {"text": "x" * 50_001})
    assert too_long.status_code == 400
    assert TenantPrivacyNotice.objects.get(tenant=demo).text.startswith("We keep grades")
    with schema_context(demo.schema_name):
        instructor = User.objects.get(email="instructor@demo.test")
    with pytest.raises(ForbiddenError):
        services.tenant_privacy_notice_set(tenant=demo, actor=instructor, text="No")
    assert services.tenant_privacy_notice_anonymise(tenant=demo) == 1
    assert TenantPrivacyNotice.objects.get(tenant=demo).updated_by_email == ""
