"""What each state means to people (SPEC R11, R14): information screen, billing and export for
administrators, JSON errors for the API; the tenants and audit APIs of operators (SPEC §4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from tenants.models import AuditEvent, Tenant
from tenants.services import tenant_cancel, tenant_suspend, tenant_terminate
from tests.helpers import api_client, api_token, host_of


def _logged_in(tenant: Tenant, email: str) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    response = client.post("/login/", {"username": email, "password": "demo-password-2026"})
    assert response.status_code == 302, response.content
    return client


def test_suspended_tenant_shows_learners_an_information_screen_and_the_api_a_json_error(demo) -> None:
    learner_token = api_token(host_of(demo), "learner1@demo.test")
    tenant_suspend(tenant=demo, reason="unpaid")
    learner = _logged_in(demo, "learner1@demo.test")
    home = learner.get("/")
    assert (home.status_code, home["Location"]) == (302, "/account-status/")
    screen = learner.get("/account-status/")
    assert screen.status_code == 200
    assert b"Access suspended" in screen.content and b"billing-link" not in screen.content
    assert learner.get("/billing/")["Location"] == "/account-status/"
    api = api_client(host_of(demo), learner_token).get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json() == {"error": {"code": "tenant_suspended", "message": (
        "Access to this organisation is suspended until the sums due are paid. "
        "Its administrators can still reach billing."), "details": {"state": "suspended"}}}
    assert Client(HTTP_HOST=host_of(demo)).get("/healthz").status_code in (200, 503)
    assert Client(HTTP_HOST=host_of(demo)).get("/login/").status_code == 200
    assert Client(HTTP_HOST=host_of(demo)).get("/")["Location"] == "/login/?next=/"


def test_administrators_of_a_suspended_tenant_still_reach_billing_timeline_and_exports(demo) -> None:
    admin_token = api_token(host_of(demo), "admin@demo.test")
    tenant_suspend(tenant=demo, reason="unpaid")
    admin = _logged_in(demo, "admin@demo.test")
    screen = admin.get("/account-status/")
    assert b'href="/billing/"' in screen.content
    assert admin.get("/billing/").status_code == 200
    assert admin.get("/timeline/").status_code == 200
    assert admin.get("/exports/").status_code == 200
    status = api_client(host_of(demo), admin_token).get("/api/v1/tenant/")
    assert (status.status_code, status.json()["state"]) == (200, "suspended")
    assert api_client(host_of(demo), admin_token).get("/api/v1/users/").status_code == 403


def test_cancelled_tenant_works_until_the_paid_through_date(demo) -> None:
    token = api_token(host_of(demo), "learner1@demo.test")
    ends = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    with time_machine.travel(ends - timedelta(days=10), tick=False):
        tenant_cancel(tenant=demo, access_ends_at=ends)
        assert api_client(host_of(demo), token).get("/api/v1/me/").status_code == 200
    with time_machine.travel(ends, tick=False):
        response = api_client(host_of(demo), token).get("/api/v1/me/")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "tenant_access_ended")


def test_retention_tenant_administrator_sees_timeline_with_exact_dates(demo) -> None:
    now = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        tenant_terminate(tenant=demo, reason="offence")
        token = api_token(host_of(demo), "admin@demo.test")
        body = api_client(host_of(demo), token).get("/api/v1/tenant/").json()
    assert body["state"] == "retention"
    assert [(s["key"], s["at"], s["done"]) for s in body["timeline"] if s["key"] != "created"] == [
        ("access_ends", "2026-01-15T09:30:00+00:00", True),
        ("reminder_30", "2026-06-14T08:30:00+00:00", False),
        ("reminder_7", "2026-07-07T08:30:00+00:00", False),
        ("destruction", "2026-07-14T08:30:00+00:00", False),
    ]


# --- Platform API (operators) -------------------------------------------------------------------------


@pytest.fixture
def operator_api(db):  # type: ignore[no-untyped-def]
    return api_client("localhost", api_token("localhost", "operator@demo.test"))


def test_operators_suspend_reinstate_and_terminate_through_the_api(operator_api, demo) -> None:
    listed = operator_api.get("/api/v1/tenants/?state=active").json()
    assert {"demo", "acme"} <= {t["slug"] for t in listed["results"]}
    suspended = operator_api.post(f"/api/v1/tenants/{demo.pk}/suspend/", {"reason": "unpaid"}, format="json")
    assert (suspended.status_code, suspended.json()["state"]) == (200, "suspended")
    again = operator_api.post(f"/api/v1/tenants/{demo.pk}/suspend/", {"reason": "unpaid"}, format="json")
    assert again.status_code == 409
    assert again.json() == {"error": {"code": "illegal_transition",
                                      "message": "A tenant that is suspended cannot become suspended.",
                                      "details": {"from": "suspended", "to": "suspended",
                                                  "allowed_from": ["active"]}}}
    assert operator_api.post(f"/api/v1/tenants/{demo.pk}/reinstate/").json()["state"] == "active"
    terminated = operator_api.post(f"/api/v1/tenants/{demo.pk}/terminate/", {"reason": "offence"}, format="json")
    assert (terminated.status_code, terminated.json()["state"]) == (200, "retention")
    bad = operator_api.post(f"/api/v1/tenants/{demo.pk}/terminate/", {"reason": "whim"}, format="json")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "validation_error")
    assert operator_api.get("/api/v1/tenants/999999/").json()["error"]["code"] == "not_found"
    events = operator_api.get(f"/api/v1/audit-events/?tenant={demo.pk}&action=tenant.").json()["results"]
    assert [e["action"] for e in events][:3] == ["tenant.terminated", "tenant.reinstated", "tenant.suspended"]
    assert events[0]["actor_email"] == "operator@demo.test"


def test_tenants_api_refuses_anyone_but_operators(demo) -> None:
    anonymous = api_client("localhost").get("/api/v1/tenants/")
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "not_authenticated")
    admin = api_client(host_of(demo), api_token(host_of(demo), "admin@demo.test"))
    assert admin.get("/api/v1/tenants/").status_code == 404  # platform routes do not exist on tenant hosts


def test_customers_see_only_their_own_audit_events(demo, acme) -> None:
    tenant_suspend(tenant=acme, reason="unpaid")
    AuditEvent.objects.create(action="probe.demo", tenant=demo)
    admin = api_client(host_of(demo), api_token(host_of(demo), "admin@demo.test"))
    actions = [e["action"] for e in admin.get("/api/v1/audit-events/").json()["results"]]
    assert "probe.demo" in actions and "tenant.suspended" not in actions
    learner = api_client(host_of(demo), api_token(host_of(demo), "learner1@demo.test"))
    assert learner.get("/api/v1/audit-events/").status_code == 403


def test_cancelling_while_suspended_keeps_the_suspension_until_payment(demo) -> None:
    token = api_token(host_of(demo), "learner1@demo.test")
    ends = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        tenant_suspend(tenant=demo, reason="unpaid")
        tenant_cancel(tenant=demo, access_ends_at=ends)
        blocked = api_client(host_of(demo), token).get("/api/v1/me/")
        assert (blocked.status_code, blocked.json()["error"]["code"]) == (403, "tenant_suspended")
        from tenants.services import tenant_reinstate

        tenant_reinstate(tenant=demo)
        assert (demo.state, demo.suspended_at, demo.access_ends_at) == ("cancelled", None, ends)
        assert api_client(host_of(demo), token).get("/api/v1/me/").status_code == 200
