"""Custom domains (SPEC R1): request, DNS verification, operator approval, plan limits."""

from __future__ import annotations

import pytest
from django.test import Client

from mooc_platform.errors import ApplicationError
from tenants.services import custom_domain_approve, custom_domain_request, custom_domain_verify


def test_custom_domain_routes_only_after_verification_and_operator_approval(make_tenant) -> None:
    tenant = make_tenant(custom_domains_allowed=True)
    custom = custom_domain_request(tenant=tenant, domain="Learn.Example.org.")
    assert custom.domain == "learn.example.org" and len(custom.verification_token) == 32
    assert Client(HTTP_HOST="learn.example.org").get("/").status_code == 404
    with pytest.raises(ApplicationError) as not_yet:
        custom_domain_approve(custom_domain=custom, actor=None)
    assert not_yet.value.code == "domain_not_verified"
    with pytest.raises(ApplicationError) as wrong:
        custom_domain_verify(custom_domain=custom, txt_records=["something-else"])
    assert wrong.value.code == "domain_not_verified"
    custom_domain_verify(custom_domain=custom, txt_records=[f'"{custom.verification_token}"'])
    custom_domain_approve(custom_domain=custom, actor=None)
    response = Client(HTTP_HOST="learn.example.org").get("/")
    assert response.status_code == 200 and tenant.name.encode() in response.content


def test_custom_domains_need_a_plan_that_includes_them(make_tenant) -> None:
    with pytest.raises(ApplicationError) as error:
        custom_domain_request(tenant=make_tenant(), domain="learn.example.org")
    assert (error.value.code, error.value.status_code) == ("custom_domains_not_included", 403)


def test_custom_domain_through_the_apis_dns_verification_then_operator_approval(make_tenant, monkeypatch) -> None:
    from tenants import dns
    from tests.helpers import api_client, api_token

    tenant = make_tenant(custom_domains_allowed=True)
    host = f"{tenant.slug}.localhost"
    admin = api_client(host, api_token(host, f"admin@{tenant.slug}.test"))
    created = admin.post("/api/v1/custom-domains/", {"domain": "courses.example.net"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["verification_record"] == {"type": "TXT", "name": "_mooc-verification.courses.example.net",
                                           "value": body["verification_token"]}
    published: dict[str, list[str]] = {}
    monkeypatch.setattr(dns, "txt_records", lambda *, name, timeout=3.0: published.get(name, []))
    missing = admin.post(f"/api/v1/custom-domains/{body['id']}/verify/")
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "domain_not_verified")
    published["_mooc-verification.courses.example.net"] = [body["verification_token"]]
    assert admin.post(f"/api/v1/custom-domains/{body['id']}/verify/").json()["verified_at"] is not None

    operator = api_client("localhost", api_token("localhost", "operator@demo.test"))
    pending = operator.get("/api/v1/custom-domains/?pending=1").json()["results"]
    assert [d["domain"] for d in pending] == ["courses.example.net"]
    assert operator.post(f"/api/v1/custom-domains/{body['id']}/approve/").json()["approved_at"] is not None
    assert tenant.name.encode() in Client(HTTP_HOST="courses.example.net").get("/").content
    taken = admin.post("/api/v1/custom-domains/", {"domain": "courses.example.net"}, format="json")
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "domain_taken")
