"""/api/v1/maintenance-windows/ on the platform host (operators) and on tenant hosts (own scope, read
only); /api/v1/sla-reports/. Cross-tenant reads are tested for every tenant endpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest

from maintenance.models import MaintenanceWindow
from tenants.models import AuditEvent
from tests.factories import MaintenanceWindowFactory
from tests.helpers import api_client, api_token, console_client, host_of
from tests.maintenance.helpers import MARCH_SAT_NOON, OCTOBER_SAT_NOON, paris


@pytest.fixture
def operator_api(operator):
    return api_client("localhost", api_token("localhost", "operator@demo.test"))


def _payload(**extra):
    return {"start": "2027-03-27T12:00:00+01:00", "end": "2027-03-28T13:00:00+02:00", "scope": "all",
            "reason": "PostgreSQL 17", "message_fr": "Mise à jour.", "message_en": "Upgrade.", **extra}


def test_operator_schedules_a_window_through_the_api(operator_api, demo, clock) -> None:
    clock(paris(2027, 3, 25, 12))  # exactly 48 hours before
    response = operator_api.post("/api/v1/maintenance-windows/", _payload(scope="selected", tenant_ids=[demo.id]),
                                 format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["start"], body["end"]) == ("2027-03-27T11:00:00Z", "2027-03-28T11:00:00Z")
    assert body["tenants"] == [{"id": demo.id, "slug": "demo", "name": "Demo University"}]
    assert body["status"] == "scheduled" and body["kind"] == "planned" and body["revision"] == 1
    event = AuditEvent.objects.get(action="maintenance_window.scheduled")
    assert event.actor_email == "operator@demo.test" and event.after["tenants"] == ["demo"]


def test_api_refusal_names_each_broken_rule(operator_api, clock) -> None:
    clock(paris(2027, 3, 25, 12, 1))  # 47 h 59 min before
    response = operator_api.post("/api/v1/maintenance-windows/",
                                 _payload(start="2027-03-26T12:00:00+01:00", end="2027-03-27T12:01:00+01:00"),
                                 format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "maintenance_not_saturday_noon"
    assert [r["code"] for r in error["details"]["broken_rules"]] == [
        "maintenance_not_saturday_noon", "maintenance_too_long", "maintenance_notice_too_short"]
    assert not MaintenanceWindow.objects.exists()


def test_api_emergency_needs_a_justification(operator_api, clock) -> None:
    clock(paris(2027, 3, 24, 15))
    payload = _payload(start="2027-03-24T15:30:00+01:00", end="2027-03-24T18:00:00+01:00", emergency=True)
    response = operator_api.post("/api/v1/maintenance-windows/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "maintenance_justification_required"
    payload["justification"] = "Storage corruption detected."
    assert operator_api.post("/api/v1/maintenance-windows/", payload, format="json").status_code == 201


def test_api_selected_scope_needs_known_tenants(operator_api, clock) -> None:
    clock(paris(2027, 3, 20))
    response = operator_api.post("/api/v1/maintenance-windows/", _payload(scope="selected", tenant_ids=[]),
                                 format="json")
    assert response.json()["error"]["code"] == "maintenance_scope_invalid"
    response = operator_api.post("/api/v1/maintenance-windows/", _payload(scope="selected", tenant_ids=[999999]),
                                 format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "maintenance_scope_invalid"


def test_operator_moves_a_window_and_the_rules_are_checked_against_the_new_start(operator_api, demo, clock) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    clock(paris(2027, 3, 26, 12))
    url = f"/api/v1/maintenance-windows/{window.id}/move/"
    too_soon = operator_api.post(url, {"start": "2027-03-27T12:30:00+01:00", "end": "2027-03-27T14:00:00+01:00"},
                                 format="json")
    assert too_soon.status_code == 400
    assert too_soon.json()["error"]["code"] == "maintenance_notice_too_short"
    moved = operator_api.post(url, {"start": "2027-04-03T12:00:00+02:00", "end": "2027-04-03T20:00:00+02:00"},
                              format="json")
    assert moved.status_code == 200
    assert moved.json()["start"] == "2027-04-03T10:00:00Z" and moved.json()["revision"] == 2
    event = AuditEvent.objects.get(action="maintenance_window.moved")
    assert event.before["start"] == "2027-03-27T11:00:00+00:00"
    assert event.after["start"] == "2027-04-03T10:00:00+00:00"


def test_operator_cancels_a_window_once(operator_api, clock) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    clock(paris(2027, 3, 25))
    url = f"/api/v1/maintenance-windows/{window.id}/cancel/"
    assert operator_api.post(url).json()["status"] == "cancelled"
    second = operator_api.post(url)
    assert second.status_code == 409 and second.json()["error"]["code"] == "maintenance_window_not_scheduled"
    move = operator_api.post(f"/api/v1/maintenance-windows/{window.id}/move/",
                             {"start": "2027-04-03T12:00:00+02:00", "end": "2027-04-03T13:00:00+02:00"}, format="json")
    assert move.status_code == 409
    assert AuditEvent.objects.filter(action="maintenance_window.cancelled").count() == 1


def test_operator_reads_one_window_and_gets_404_for_an_unknown_one(operator_api) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    assert operator_api.get(f"/api/v1/maintenance-windows/{window.id}/").json()["reason"] == "PostgreSQL upgrade"
    assert operator_api.get("/api/v1/maintenance-windows/999999/").json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method,path", [
    ("get", "/api/v1/maintenance-windows/"), ("post", "/api/v1/maintenance-windows/"),
    ("get", "/api/v1/maintenance-windows/{id}/"), ("post", "/api/v1/maintenance-windows/{id}/move/"),
    ("post", "/api/v1/maintenance-windows/{id}/cancel/"), ("get", "/api/v1/sla-reports/"),
])
def test_operator_endpoints_refuse_anonymous_and_tenant_tokens(demo, method, path) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    path = path.format(id=window.id)
    assert getattr(api_client("localhost"), method)(path).status_code == 401
    # a tenant administrator's token means nothing on the platform host
    demo_token = api_token(host_of(demo), "admin@demo.test")
    assert getattr(api_client("localhost", demo_token), method)(path).status_code == 401
    # and operator endpoints do not exist on a tenant host (only the read-only list)
    if path != "/api/v1/maintenance-windows/":
        assert getattr(api_client(host_of(demo), demo_token), method)(path).status_code == 404
    window.refresh_from_db()
    assert window.status == "scheduled"


def test_tenant_api_lists_its_own_windows_only(demo, acme, clock) -> None:
    for_demo = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    for_acme = MaintenanceWindowFactory(start=paris(2027, 4, 3, 12), tenants=[acme], message_en="ACME only.")
    for_all = MaintenanceWindowFactory(start=OCTOBER_SAT_NOON)
    clock(MARCH_SAT_NOON - timedelta(days=1))
    demo_api = api_client(host_of(demo), api_token(host_of(demo), "learner1@demo.test"))
    acme_api = api_client(host_of(acme), api_token(host_of(acme), "learner1@acme.test"))
    demo_rows = demo_api.get("/api/v1/maintenance-windows/").json()["results"]
    acme_rows = acme_api.get("/api/v1/maintenance-windows/").json()["results"]
    assert [r["id"] for r in demo_rows] == [for_all.id, for_demo.id]
    assert [r["id"] for r in acme_rows] == [for_all.id, for_acme.id]
    assert "reason" not in demo_rows[0] and "tenants" not in demo_rows[0] and "justification" not in demo_rows[0]
    assert demo_rows[1]["in_force"] is False and demo_rows[1]["message_en"] == "Database upgrade."


def test_tenant_api_needs_a_member_of_that_tenant(demo, acme) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    assert api_client(host_of(demo)).get("/api/v1/maintenance-windows/").status_code == 401
    acme_token = api_token(host_of(acme), "admin@acme.test")
    assert api_client(host_of(demo), acme_token).get("/api/v1/maintenance-windows/").status_code == 401


def test_sla_report_counts_emergency_windows_as_downtime_and_excludes_planned_ones(
    operator_api, demo, acme, operator
) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=24)  # planned, all tenants: excluded
    MaintenanceWindowFactory(start=paris(2027, 3, 10, 9), hours=3, tenants=[demo], now=paris(2027, 3, 10, 8, 50),
                    emergency=True, justification="Disk failure.", actor=operator)
    # an overlapping emergency window is not counted twice
    MaintenanceWindowFactory(start=paris(2027, 3, 10, 11), hours=2, tenants=[demo], now=paris(2027, 3, 10, 10),
                    emergency=True, justification="Still failing.", actor=operator)
    response = operator_api.get("/api/v1/sla-reports/?month=2027-03")
    assert response.status_code == 200
    rows = {r["tenant_slug"]: r for r in response.json()["results"]}
    assert rows["demo"]["month_seconds"] == (31 * 24 - 1) * 3600  # March 2027 in Paris: 743 hours
    assert rows["demo"]["unannounced_downtime_seconds"] == 4 * 3600
    assert rows["demo"]["announced_maintenance_seconds"] == 24 * 3600
    assert rows["demo"]["availability_percent"] == "99.462"  # 1 − 4/743
    assert rows["acme"]["unannounced_downtime_seconds"] == 0
    assert rows["acme"]["availability_percent"] == "100.000"


def test_sla_report_rejects_a_bad_month(operator_api) -> None:
    response = operator_api.get("/api/v1/sla-reports/?month=2027-13")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_month"


def test_sla_report_page_in_the_console(operator) -> None:

    client = console_client(operator.email)
    page = client.get("/console/maintenance/maintenancewindow/sla-report/?month=2027-10")
    assert page.status_code == 200
    assert b"Demo University (demo)" in page.content and "100.000\u00a0%" in page.content.decode()
