"""Every console URL and form, with hostile input: never a 5xx (issue 12 "Done when")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.urls import get_resolver

from console import urls as console_urls
from tenants.services import custom_domain_request, support_grant_create
from tests.helpers import console_client
from tests.invoicing.helpers import paris, sign

HOSTILE = ["' OR 1=1 --", "<script>alert(1)</script>", "\x00", "é" * 3000, "-1", "99999999999999999999", "0",
           "1e400", "NaN", "../../etc/passwd", "%00", "２０２６-０１", "2026-13", "=cmd|' /C calc'!A0", " ", ""]


@pytest.fixture
def world(demo, quote_sent, clock, make_tenant):  # type: ignore[no-untyped-def]
    """A signed customer (quote, invoice, subscription), a custom domain, a support grant, a pending approval."""
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    clock(paris(2026, 1, 16, 9))
    tenant = make_tenant(custom_domains_allowed=True)
    custom = custom_domain_request(tenant=tenant, domain="learn.hostile.example")
    support_grant_create(tenant=tenant, scope="users", expires_at=datetime.now(UTC) + timedelta(days=2),
                         actor=type("A", (), {"email": "a@x.test"})())
    return {"tenant": tenant.pk, "customer": result.tenant.pk, "invoice": result.invoice.pk,
            "quote": result.subscription.quote_id, "domain": custom.pk}


def _console_paths(ids: dict) -> list[str]:
    paths = []
    for pattern in console_urls.urlpatterns:
        route = str(pattern.pattern)
        for pk in (ids.get("customer"), ids.get("tenant"), 0, 2**40):
            concrete = (route.replace("<int:pk>", str(pk)).replace("<int:domain_pk>", str(ids["domain"]))
                        .replace("<str:action>", "suspend"))
            paths.append("/console/" + concrete)
    paths += [f"/console/organisations/{ids['tenant']}/{action}/" for action in
              ("suspend", "reinstate", "terminate", "purge", "resend-invitation", "rename", "limits",
               "lift-termination", "proceedings-open", "proceedings-close", "nope", "%00")]
    paths += [f"/console/quotes/{ids['quote']}/{action}/" for action in ("send", "withdraw", "revise", "x")]
    paths += [f"/console/organisations/{ids['tenant']}/domains/{ids['domain']}/{a}/"
              for a in ("approve", "remove", "x")]
    paths += [f"/console/invoices/{ids['invoice']}/payment/", f"/console/invoices/{ids['invoice']}/credit-note/"]
    return sorted(set(paths))


def _admin_paths() -> list[str]:
    paths = []
    for model in admin.site._registry:
        base = f"/console/{model._meta.app_label}/{model._meta.model_name}/"
        paths += [base, base + "add/", base + "1/change/", base + "1/delete/", base + "abc/change/"]
    return paths


def test_every_console_page_answers_hostile_query_strings_without_a_server_error(world) -> None:
    client = console_client()
    for path in _console_paths(world) + _admin_paths():
        for value in ("", *HOSTILE[:6]):
            query = {"q": value, "page": value, "state": value, "plan": value, "overdue": value, "period": value,
                     "status": value, "kind": value, "next": value, "o": value, "p": value, "format": "csv"}
            response = client.get(path, query)
            assert response.status_code < 500, (path, value, response.status_code)


def test_every_console_form_answers_hostile_posts_without_a_server_error(world) -> None:
    fields = ["reason", "name", "seat_limit", "storage_quota_gb", "valid_until", "amount", "received_on",
              "reference", "language", "token", "decision", "plan", "organisation_name", "billing_address",
              "country", "vat_number", "siren", "contact_name", "contact_email", "wished_slug", "seats",
              "initial_term_months", "username", "password", "next"]
    paths = [p for p in _console_paths(world) if "/approvals/" not in p or "decide" in p] + [
        "/console/invoicing/quote/{}/change/".format(world["quote"]), "/console/invoicing/planprice/add/",
        "/console/invoicing/payment/add/", "/console/maintenance/maintenancewindow/add/"]
    client = console_client()
    for path in paths:
        for value in HOSTILE:
            response = client.post(path, {name: value for name in fields})
            assert response.status_code < 500, (path, repr(value[:20]), response.status_code)
    assert client.get("/console/").status_code in (200, 302)


def test_a_hostile_csv_cell_is_not_a_formula(world) -> None:
    from tenants.models import Tenant

    Tenant.objects.filter(pk=world["tenant"]).update(name="=HYPERLINK(\"http://evil\")")
    body = console_client().get("/console/organisations/", {"format": "csv"}).content.decode()
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


def test_url_resolver_knows_the_console(db) -> None:
    assert get_resolver("mooc_platform.urls_public").resolve("/console/organisations/").url_name == "organisations"
