"""Support access (SPEC R19, GCS art. 5): operators see tenant content only under a grant the
customer gave (scope, expiry ≤ 30 days), revocable; every read is audited and shown to the customer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.helpers import api_client, api_token, host_of

NOW = datetime(2026, 4, 14, 8, 0, tzinfo=UTC)


@pytest.fixture
def clients(demo):  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        admin = api_client(host_of(demo), api_token(host_of(demo), "admin@demo.test"))
        operator = api_client("localhost", api_token("localhost", "operator@demo.test"))
    return admin, operator


def test_operator_reads_users_only_under_a_grant_and_the_customer_sees_each_read(demo, clients) -> None:
    admin, operator = clients
    with time_machine.travel(NOW, tick=False):
        refused = operator.get(f"/api/v1/tenants/{demo.pk}/support/users/")
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "support_access_not_granted")
        grant = admin.post("/api/v1/support-access-grants/", {
            "scope": "users", "expires_at": "2026-04-21T08:00:00Z", "reason": "Login problem of a learner"},
            format="json")
        assert grant.status_code == 201
        read = operator.get(f"/api/v1/tenants/{demo.pk}/support/users/")
        assert read.status_code == 200
        rows = read.json()["results"]
        assert {r["email"] for r in rows} >= {"admin@demo.test", "learner1@demo.test"}
        assert all("password" not in r for r in rows)
        courses = operator.get(f"/api/v1/tenants/{demo.pk}/support/courses/")
        assert (courses.status_code, courses.json()["error"]["code"]) == (403, "support_access_not_granted")

        listed = admin.get("/api/v1/support-access-grants/").json()["results"][0]
        assert listed["active"] is True
        assert [(a["operator"], a["resource"]) for a in listed["accesses"]] == [("operator@demo.test", "users")]
        audit = admin.get("/api/v1/audit-events/?action=support.").json()["results"]
        assert [e["action"] for e in audit] == ["support.accessed", "support.granted"]

    with time_machine.travel(datetime(2026, 4, 21, 8, 0, tzinfo=UTC), tick=False):
        expired = operator.get(f"/api/v1/tenants/{demo.pk}/support/users/")
    assert expired.status_code == 403


def test_revoked_grant_stops_access_at_once(demo, clients) -> None:
    admin, operator = clients
    with time_machine.travel(NOW, tick=False):
        grant = admin.post("/api/v1/support-access-grants/", {"scope": "all", "expires_at": "2026-05-01T00:00:00Z"},
                           format="json").json()
        assert operator.get(f"/api/v1/tenants/{demo.pk}/support/courses/").status_code == 200
        revoked = admin.post(f"/api/v1/support-access-grants/{grant['id']}/revoke/")
        assert (revoked.status_code, revoked.json()["revoked_by_email"]) == (200, "admin@demo.test")
        assert operator.get(f"/api/v1/tenants/{demo.pk}/support/courses/").status_code == 403
        again = admin.post(f"/api/v1/support-access-grants/{grant['id']}/revoke/")
        assert (again.status_code, again.json()["error"]["code"]) == (409, "already_revoked")


@pytest.mark.parametrize("expires_at", ["2026-05-14T08:00:01Z", "2026-04-14T07:59:00Z"])
def test_grant_expiry_must_be_future_and_within_30_days(clients, expires_at) -> None:
    admin, _ = clients
    with time_machine.travel(NOW, tick=False):
        response = admin.post("/api/v1/support-access-grants/", {"scope": "users", "expires_at": expires_at},
                              format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_expiry")


def test_only_administrators_grant_and_foreign_grants_cannot_be_revoked(demo, acme, clients) -> None:
    admin, _ = clients
    with time_machine.travel(NOW, tick=False):
        learner = api_client(host_of(demo), api_token(host_of(demo), "learner1@demo.test"))
        assert learner.post("/api/v1/support-access-grants/", {"scope": "users", "expires_at": "2026-04-20T00:00Z"},
                            format="json").status_code == 403
        grant = admin.post("/api/v1/support-access-grants/", {"scope": "users", "expires_at": "2026-04-20T00:00Z"},
                           format="json").json()
        acme_admin = api_client(host_of(acme), api_token(host_of(acme), "admin@acme.test"))
        assert acme_admin.post(f"/api/v1/support-access-grants/{grant['id']}/revoke/").status_code == 404
        assert acme_admin.get("/api/v1/support-access-grants/").json()["results"] == []
