"""Every console URL and form, with hostile input: never a 5xx (issue 12 "Done when")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.urls import get_resolver

from console import urls as console_urls
from console.views.organisations import ACTIONS, DOMAIN_ACTIONS
from console.views.quotes import QUOTE_ACTIONS
from invoicing.services import invoice_pro_forma_issue
from tenants.services import custom_domain_request, support_grant_create
from tests.factories import MaintenanceWindowFactory
from tests.helpers import console_client
from tests.invoicing.helpers import paris, sign

HOSTILE = ["' OR 1=1 --", "<script>alert(1)</script>", "\x00", "é" * 3000, "-1", "99999999999999999999", "0",
           "1e400", "NaN", "../../etc/passwd", "%00", "２０２６-０１", "2026-13", "=cmd|' /C calc'!A0", " ", ""]


@pytest.fixture
def world(demo, quote_sent, clock, make_tenant):  # type: ignore[no-untyped-def]
    """A signed customer (quote, invoice, subscription), a custom domain, a support grant, a maintenance window, a
    pro forma."""
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    clock(paris(2026, 1, 16, 9))
    tenant = make_tenant(custom_domains_allowed=True)
    custom = custom_domain_request(tenant=tenant, domain="learn.hostile.example")
    support_grant_create(tenant=tenant, scope="users", expires_at=datetime.now(UTC) + timedelta(days=2),
                         actor=type("A", (), {"email": "a@x.test"})())
    window = MaintenanceWindowFactory(start=paris(2026, 1, 24, 12), now=paris(2026, 1, 16, 9))
    sent = quote_sent()
    pro_forma = invoice_pro_forma_issue(quote=sent)
    return {"tenant": tenant.pk, "customer": result.tenant.pk, "invoice": result.invoice.pk,
            "quote": result.subscription.quote_id, "sent_quote": sent.pk, "domain": custom.pk, "window": window.pk,
            "pro_forma": pro_forma.pk}


def _ids_for(route: str, ids: dict) -> tuple:
    """Real ids of the kind the route names (and ids that do not exist)."""
    if route.startswith("maintenance-windows/"):
        real: tuple = (ids["window"],)
    elif route.startswith("invoices/"):
        real = (ids["invoice"], ids["pro_forma"])
    elif route.startswith("quotes/"):
        real = (ids["quote"], ids["sent_quote"])
    else:
        real = (ids["customer"], ids["tenant"])
    return (*real, 0, 2**40)


def _console_paths(ids: dict) -> list[str]:
    """Every route of the console's URLconf with real and missing ids, and every action of each action route."""
    paths = []
    for pattern in console_urls.urlpatterns:
        route = str(pattern.pattern)
        for pk in _ids_for(route, ids):
            concrete = (route.replace("<int:pk>", str(pk)).replace("<int:domain_pk>", str(ids["domain"]))
                        .replace("<str:action>", "suspend"))
            paths.append("/console/" + concrete)
    for pk in (ids["tenant"], ids["customer"]):
        paths += [f"/console/organisations/{pk}/{action}/" for action in (*ACTIONS, "nope", "%00")]
    for pk in (ids["quote"], ids["sent_quote"]):
        paths += [f"/console/quotes/{pk}/{action}/" for action in (*QUOTE_ACTIONS, "x")]
    paths += [f"/console/organisations/{ids['tenant']}/domains/{ids['domain']}/{a}/" for a in (*DOMAIN_ACTIONS, "x")]
    paths += [f"/console/maintenance-windows/{ids['window']}/{a}/" for a in ("move", "cancel")]
    return sorted(set(paths))


def test_the_walk_covers_every_console_route_and_action(world) -> None:
    paths = _console_paths(world)
    for pattern in console_urls.urlpatterns:
        prefix = "/console/" + str(pattern.pattern).split("<", 1)[0]
        assert any(path.startswith(prefix) for path in paths), pattern.name
    for action in (*ACTIONS, *QUOTE_ACTIONS, *DOMAIN_ACTIONS):
        assert any(path.endswith(f"/{action}/") for path in paths), action


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
              "initial_term_months", "username", "password", "next", "start", "end", "kind", "scope", "tenants",
              "justification", "message_fr", "message_en", "confirm", "slug", "admin_email", "admin_full_name"]
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


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "1900-01-01T00:00", "0001-01-01T00:00", "2027-03-28T02:30",
                                  "2027-10-31T02:30", "2026-02-30T12:00", "2026-01-24T12:00:00.999999999",
                                  "12:00", "2026-01-24"])
def test_maintenance_forms_answer_hostile_times_with_a_form_error(world, when) -> None:
    """Times out of range, in the hour the clocks skip or repeat (Paris DST), impossible dates: the form says so."""
    client = console_client()
    good = {"start": "2026-01-31T12:00", "end": "2026-01-31T18:00", "scope": "all", "kind": "planned",
            "reason": "r", "message_fr": "m", "message_en": "m"}
    for field in ("start", "end"):
        scheduled = client.post("/console/maintenance-windows/new/", {**good, field: when})
        assert scheduled.status_code == 400, (field, when, scheduled.status_code)
        for confirm in ("", "1"):
            moved = client.post(f"/console/maintenance-windows/{world['window']}/move/",
                                {"start": good["start"], "end": good["end"], field: when, "confirm": confirm})
            assert moved.status_code == 400, (field, when, confirm, moved.status_code)
