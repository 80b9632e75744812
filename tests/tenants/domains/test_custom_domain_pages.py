"""The administrators' custom-domains page (issue 13, SPEC R1): request a domain, the TXT record to create shown
with copy buttons, verification, status; hostile input re-displays with its error; isolation; French on acme."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tenants import dns
from tenants.models import CustomDomain, Tenant
from tests.helpers import host_of, unique

pytestmark = pytest.mark.django_db


def _signed_in(tenant, email: str | None = None) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=email or f"admin@{tenant.slug}.test"))
    return client


@pytest.fixture
def allowed(demo, acme) -> None:  # type: ignore[no-untyped-def]
    Tenant.objects.filter(pk__in=[demo.pk, acme.pk]).update(custom_domains_allowed=True)


def test_request_shows_the_record_to_create_then_verify_sets_the_status(demo, allowed, monkeypatch) -> None:
    client = _signed_in(demo)
    name = f"{unique('learn')}.example.org"
    response = client.post("/manage/domains/", {"domain": f"  {name.upper()}  "}, follow=True)
    custom = CustomDomain.objects.get(tenant=demo)
    assert custom.domain == name
    page = response.content.decode()
    assert f"{name} is registered: publish the DNS record below" in page
    assert f"_mooc-verification.{name}" in page and custom.verification_token in page
    assert page.count('class="copy"') == 2 and "tenants/copy.js" in page
    assert "Awaiting verification" in page
    monkeypatch.setattr(dns, "txt_records", lambda *, name, timeout=3.0: ["something else"])
    missing = client.post(f"/manage/domains/{custom.pk}/verify/", follow=True).content.decode()
    assert "The verification record was not found." in missing and "Awaiting verification" in missing
    monkeypatch.setattr(dns, "txt_records", lambda *, name, timeout=3.0: [f'"{custom.verification_token}"'])
    verified = client.post(f"/manage/domains/{custom.pk}/verify/", follow=True).content.decode()
    assert "is verified; it will answer once the platform approved it." in verified
    assert "Verified, awaiting the platform's approval" in verified
    assert custom.verification_token not in verified.split(f'data-testid="domain-{custom.pk}"')[1]


@pytest.mark.parametrize(("value", "message"), [
    ("not a domain", "Not a valid domain name for your organisation."),
    ("x" * 300 + ".org", "Ensure this value has at most 253 characters"),
    ("", "This field is required."),
    ("<script>alert(1)</script>.org", "Not a valid domain name for your organisation."),
])
def test_hostile_input_redisplays_with_the_error(demo, allowed, value, message) -> None:
    response = _signed_in(demo).post("/manage/domains/", {"domain": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-domain"' in page and message in page and "<script>alert" not in page
    assert not CustomDomain.objects.filter(tenant=demo).exists()


def test_a_taken_domain_and_a_plan_without_domains_are_refused_on_the_page(demo, acme) -> None:
    Tenant.objects.filter(pk=acme.pk).update(custom_domains_allowed=True)
    _signed_in(acme).post("/manage/domains/", {"domain": "learn.taken.example"})
    page = _signed_in(demo).get("/manage/domains/").content.decode()
    assert 'data-testid="domains-not-included"' in page and 'data-testid="domain-form"' not in page
    refused = _signed_in(demo).post("/manage/domains/", {"domain": "learn.other.example"})
    assert refused.status_code == 403 and "Your plan does not include custom domains." in refused.content.decode()
    Tenant.objects.filter(pk=demo.pk).update(custom_domains_allowed=True)
    taken = _signed_in(demo).post("/manage/domains/", {"domain": "learn.taken.example"})
    assert taken.status_code == 409 and "This domain is already registered." in taken.content.decode()


def test_another_organisations_domain_is_neither_listed_nor_verifiable(demo, acme, allowed, monkeypatch) -> None:
    _signed_in(demo).post("/manage/domains/", {"domain": "learn.demo-only.example"})
    custom = CustomDomain.objects.get(domain="learn.demo-only.example")
    monkeypatch.setattr(dns, "txt_records", lambda *, name, timeout=3.0: [custom.verification_token])
    acme_admin = _signed_in(acme)
    assert "learn.demo-only.example" not in acme_admin.get("/manage/domains/").content.decode()
    assert acme_admin.post(f"/manage/domains/{custom.pk}/verify/").status_code == 404
    custom.refresh_from_db()
    assert custom.verified_at is None
    learner = _signed_in(demo, "learner1@demo.test")
    assert learner.get("/manage/domains/").status_code == 403
    assert learner.post(f"/manage/domains/{custom.pk}/verify/").status_code == 403


def test_the_page_speaks_french_on_acme(acme, allowed) -> None:
    client = _signed_in(acme)
    page = client.post("/manage/domains/", {"domain": "formation.acme-fr.example"}, follow=True).content.decode()
    assert "Domaines personnalisés" in page and "En attente de vérification" in page and "Copier" in page
    assert "Custom domains" not in page and "Awaiting verification" not in page
