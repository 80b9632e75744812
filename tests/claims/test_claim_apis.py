"""`/api/v1/claims/` (SPEC §4): administrators list, file and read their own claims on the tenant host;
operators list, read, answer and move every claim on the platform host. Errors in the JSON error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from claims import services
from claims.models import Claim
from mooc_platform.accounts.tokens import token_issue
from tests.helpers import api_client, host_of
from tests.invoicing.helpers import paris

from .helpers import administrator_of, past_window

NOW = paris(2027, 1, 12, 15, 30)


def _admin_api(tenant, email=None):  # type: ignore[no-untyped-def]
    from django_tenants.utils import schema_context

    with schema_context(tenant.schema_name):
        return api_client(host_of(tenant), token_issue(user=administrator_of(tenant, email))[1])


def _operator_api():  # type: ignore[no-untyped-def]
    from mooc_platform.accounts.models import User

    return api_client("localhost", token_issue(user=User.objects.get(email="operator@demo.test"))[1])


@pytest.mark.django_db
def test_an_administrator_files_a_maintenance_claim_and_reads_it_back(demo, django_capture_on_commit_callbacks) -> None:
    api = _admin_api(demo)
    with time_machine.travel(NOW, tick=False):
        window = past_window(tenants=[demo], now=NOW)
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post("/api/v1/claims/", {
                "category": "maintenance", "maintenance_window_id": window.pk,
                "event_at": (window.start + timedelta(hours=1)).isoformat(), "subject": "Window overran",
                "body": "The platform was still down at 18:00.", "received_at": "2020-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["received_at"] == "2027-01-12T14:30:00Z"  # the platform's clock; the client's value is ignored
    assert body["late"] is True and body["status"] == "open" and body["maintenance_window_id"] == window.pk
    assert body["reference"] == f"C-{body['id']:06d}" and body["messages"] == []
    assert [m.to for m in mail.outbox if body["reference"] in m.subject] == [["admin@demo.test"]]
    listed = api.get("/api/v1/claims/").json()
    assert [c["id"] for c in listed["results"]][:1] == [body["id"]]
    assert api.get(f"/api/v1/claims/{body['id']}/").json()["subject"] == "Window overran"


@pytest.mark.django_db
def test_bad_claims_get_clear_errors_and_nothing_is_kept(demo) -> None:
    api = _admin_api(demo)
    before = Claim.objects.count()
    with time_machine.travel(NOW, tick=False):
        future = api.post("/api/v1/claims/", {"category": "other", "event_at": "2027-01-13T10:00:00+01:00",
                                               "subject": "s", "body": "b"}, format="json")
        no_window = api.post("/api/v1/claims/", {"category": "maintenance", "event_at": "2027-01-10T10:00:00+01:00",
                                                  "subject": "s", "body": "b"}, format="json")
        no_date = api.post("/api/v1/claims/", {"category": "other", "event_at": "yesterday", "subject": "s",
                                                "body": "b"}, format="json")
    assert future.status_code == 400 and future.json()["error"]["code"] == "claim_event_in_future"
    assert no_window.status_code == 400 and no_window.json()["error"]["code"] == "claim_window_unknown"
    assert no_date.status_code == 400 and "event_at" in no_date.json()["error"]["details"]
    assert Claim.objects.count() == before


@pytest.mark.django_db
def test_claims_stay_inside_their_organisation_and_away_from_learners(demo, acme) -> None:
    with time_machine.travel(NOW, tick=False):
        claim = services.claim_file(tenant=demo, actor=administrator_of(demo), category="other",
                                    event_at=NOW - timedelta(hours=1), subject="Ours", body="b")
    acme_api = _admin_api(acme)
    assert acme_api.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert claim.pk not in [c["id"] for c in acme_api.get("/api/v1/claims/").json()["results"]]
    learner = _admin_api(demo, "learner1@demo.test")
    assert learner.get("/api/v1/claims/").status_code == 403
    assert learner.post("/api/v1/claims/", {}, format="json").status_code == 403
    # A tenant's token is worthless on the platform host, and an operator's on a tenant host.
    assert api_client("localhost", None).get("/api/v1/claims/").status_code in (401, 403)


@pytest.mark.django_db
def test_an_operator_lists_answers_and_closes_through_the_platform_api(
        demo, django_capture_on_commit_callbacks) -> None:
    with time_machine.travel(NOW, tick=False):
        claim = services.claim_file(tenant=demo, actor=administrator_of(demo), category="incident",
                                    incident_reference="Outage of 12 January, 10:00", event_at=NOW - timedelta(hours=5),
                                    subject="Outage", body="Nobody could sign in.")
    api = _operator_api()
    open_ids = [c["id"] for c in api.get("/api/v1/claims/?status=open").json()["results"]]
    assert claim.pk in open_ids
    row = api.get(f"/api/v1/claims/{claim.pk}/").json()
    assert row["tenant_slug"] == "demo" and row["incident_reference"] == "Outage of 12 January, 10:00"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answered = api.post(f"/api/v1/claims/{claim.pk}/reply/", {"body": "Sorry: a certificate expired."},
                            format="json")
    assert answered.status_code == 201, answered.content
    assert answered.json()["status"] == "answered"
    assert [m["body"] for m in answered.json()["messages"]] == ["Sorry: a certificate expired."]
    assert [m.to for m in mail.outbox] == [["admin@demo.test"]]
    closed = api.post(f"/api/v1/claims/{claim.pk}/status/", {"status": "closed"}, format="json")
    assert closed.json()["status"] == "closed"
    assert claim.pk not in [c["id"] for c in api.get("/api/v1/claims/?status=open").json()["results"]]
    bad = api.post(f"/api/v1/claims/{claim.pk}/status/", {"status": "lost"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"
    assert api.get("/api/v1/claims/?late=maybe").status_code == 400
    assert api.get("/api/v1/claims/999999/").json()["error"]["code"] == "not_found"
    # The administrator sees the answer through the tenant API.
    mine = _admin_api(demo).get(f"/api/v1/claims/{claim.pk}/").json()
    assert mine["status"] == "closed" and mine["messages"][0]["author"] == "operator"
