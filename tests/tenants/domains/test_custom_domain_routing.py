"""Custom domains route once verified and approved, without being listed in ALLOWED_HOSTS (SPEC R1)."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client

from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import CustomDomain, Domain, Tenant
from tenants.services import custom_domain_approve, custom_domain_request, custom_domain_verify


def _approved(tenant: Tenant, domain: str) -> CustomDomain:
    custom = custom_domain_request(tenant=tenant, domain=domain)
    custom_domain_verify(custom_domain=custom, txt_records=[custom.verification_token])
    custom_domain_approve(custom_domain=custom, actor=None)
    return custom


def _csrf_token(client: Client, **extra: str) -> str:
    page = client.get("/login/", **extra)
    assert page.status_code == 200
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert match is not None
    return match.group(1).decode()


def test_custom_domains_are_not_listed_in_allowed_hosts() -> None:
    assert not any(host in ("*", "learn.example.org", ".example.org") for host in settings.ALLOWED_HOSTS)


def test_approved_custom_domain_serves_its_tenant_home_page(make_tenant) -> None:
    tenant = make_tenant(custom_domains_allowed=True)
    _approved(tenant, "learn.example.org")
    response = Client(HTTP_HOST="learn.example.org").get("/")
    assert response.status_code == 200
    assert tenant.name.encode() in response.content
    with_port = Client(HTTP_HOST="LEARN.example.org:8443").get("/")
    assert with_port.status_code == 200 and tenant.name.encode() in with_port.content


def test_csrf_protected_login_works_on_an_approved_custom_domain(make_tenant) -> None:
    tenant = make_tenant(custom_domains_allowed=True)
    _approved(tenant, "learn.example.org")
    client = Client(HTTP_HOST="learn.example.org", enforce_csrf_checks=True)
    token = _csrf_token(client)
    response = client.post("/login/", {"username": f"learner@{tenant.slug}.test", "password": DEMO_PASSWORD,
                                       "csrfmiddlewaretoken": token},
                           HTTP_ORIGIN="http://learn.example.org")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session.get("_auth_user_id") is not None
    assert client.get("/").status_code == 200


def test_csrf_protected_login_over_https_checks_origin_and_referer_against_the_custom_domain(make_tenant) -> None:
    tenant = make_tenant(custom_domains_allowed=True)
    _approved(tenant, "learn.example.org")
    client = Client(HTTP_HOST="learn.example.org", enforce_csrf_checks=True)
    token = _csrf_token(client, secure=True)
    credentials = {"username": f"learner@{tenant.slug}.test", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
    forged = client.post("/login/", credentials, secure=True, HTTP_ORIGIN="https://evil.example.com",
                         HTTP_REFERER="https://evil.example.com/login/")
    assert forged.status_code == 403
    response = client.post("/login/", credentials, secure=True, HTTP_ORIGIN="https://learn.example.org",
                           HTTP_REFERER="https://learn.example.org/login/")
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") is not None


def test_verified_but_unapproved_custom_domain_answers_404(make_tenant) -> None:
    tenant = make_tenant(custom_domains_allowed=True)
    custom = custom_domain_request(tenant=tenant, domain="learn.example.org")
    assert Client(HTTP_HOST="learn.example.org").get("/").status_code == 404
    custom_domain_verify(custom_domain=custom, txt_records=[custom.verification_token])
    response = Client(HTTP_HOST="learn.example.org").get("/")
    assert response.status_code == 404
    assert b"No organisation at this address" in response.content


def test_unverified_domain_row_outside_allowed_hosts_answers_404(make_tenant) -> None:
    tenant = make_tenant()
    Domain.objects.create(domain="unverified.example.org", tenant=tenant, is_primary=False)
    assert Client(HTTP_HOST="unverified.example.org").get("/").status_code == 404
    assert Client(HTTP_HOST="unverified.example.org").post("/login/", {}).status_code == 404


def test_unknown_host_answers_404(db) -> None:
    assert Client(HTTP_HOST="nobody.example.org").get("/").status_code == 404
    assert Client(HTTP_HOST="bad host!").get("/").status_code == 404


def test_approved_custom_domain_of_another_tenant_shows_only_that_tenant(make_tenant, demo) -> None:
    tenant = make_tenant(custom_domains_allowed=True)
    _approved(tenant, "learn.example.org")
    page = Client(HTTP_HOST="learn.example.org").get("/").content
    assert tenant.name.encode() in page and demo.name.encode() not in page
