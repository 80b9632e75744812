"""The organisation's audit log for its administrators (issue 13): filters (actor, action, dates), pagination,
CSV of the selection; a bad filter re-displays with its error; only the organisation's own events; French."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from tests.helpers import host_of

pytestmark = pytest.mark.django_db


def _signed_in(tenant, email: str | None = None) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=email or f"admin@{tenant.slug}.test"))
    return client


@pytest.fixture
def events(demo, acme) -> None:  # type: ignore[no-untyped-def]
    """demo: 60 `user.role_changed` by Ada on 2026-03-02, one `support.granted` by Bob on 2026-03-10 (Paris);
    acme: one event of its own."""
    ada, bob = User(email="ada@demo.test"), User(email="bob@demo.test")
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        for n in range(60):
            audit_record(action="user.role_changed", actor=ada, tenant=demo, after={"n": n, "email": "=cmd()"})
    with time_machine.travel(datetime(2026, 3, 9, 23, 30, tzinfo=UTC), tick=False):  # 10 March 00:30 in Paris
        audit_record(action="support.granted", actor=bob, tenant=demo, ip_address="198.51.100.4")
    audit_record(action="acme.secret_action", actor=User(email="carol@acme.test"), tenant=acme)


def test_filters_and_pages(demo, events) -> None:
    client = _signed_in(demo)
    march = "since=2026-03-01&until=2026-03-31"
    first = client.get(f"/manage/audit-log/?{march}").content.decode()
    assert "Page 1 of 2" in first and first.count("<code>user.role_changed</code>") == 49
    assert "<code>support.granted</code>" in first and "acme.secret_action" not in first
    second = client.get(f"/manage/audit-log/?{march}&page=2").content.decode()
    assert second.count("<code>user.role_changed</code>") == 11 and "Page 2 of 2" in second
    by_bob = client.get("/manage/audit-log/?actor=BOB").content.decode()
    assert "<code>support.granted</code>" in by_bob and "user.role_changed</code>" not in by_bob
    assert "198.51.100.4" in by_bob and 'data-testid="pagination"' not in by_bob
    by_action = client.get("/manage/audit-log/?action=support.").content.decode()
    assert "bob@demo.test" in by_action and "ada@demo.test" not in by_action
    on_the_10th = client.get("/manage/audit-log/?since=2026-03-10&until=2026-03-10").content.decode()
    assert "<code>support.granted</code>" in on_the_10th and "user.role_changed</code>" not in on_the_10th
    none = client.get("/manage/audit-log/?since=2026-03-11&until=2026-03-31").content.decode()
    assert 'data-testid="no-events"' in none
    paged = client.get("/manage/audit-log/?action=user.&page=2").content.decode()
    assert 'href="?action=user.&amp;page=1"' in paged


def test_csv_of_the_selection_neutralises_formulas(demo, events) -> None:
    response = _signed_in(demo).get("/manage/audit-log.csv?action=user.role_changed&until=2026-03-31")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="audit-demo.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["created_at", "actor_email", "action", "target_type", "target_id", "ip_address", "before",
                       "after"]
    assert len(rows) == 61 and {r[2] for r in rows[1:]} == {"user.role_changed"}
    assert rows[1][0] == "2026-03-02T10:00:00+01:00" and rows[1][1] == "ada@demo.test"
    assert '"email": "=cmd()"' in rows[1][7]
    everything = _signed_in(demo).get("/manage/audit-log.csv").content.decode()
    assert "acme.secret_action" not in everything and "support.granted" in everything


@pytest.mark.parametrize(("query", "field", "message"), [
    ("since=yesterday", "since", "Enter a valid date."),
    ("since=2026-03-10&until=2026-03-01", "until", "The end date is before the start date."),
    ("until=9999-12-31", "until", "Dates must lie between the years 1900 and 2199."),
    ("actor=" + "x" * 300, "actor", "at most 254 characters"),
    ("page=-5&action=%00", None, None),
])
def test_bad_filters_redisplay_with_their_error(demo, events, query, field, message) -> None:
    client = _signed_in(demo)
    response = client.get(f"/manage/audit-log/?{query}")
    assert response.status_code in (200, 400)
    if field:
        page = response.content.decode()
        assert response.status_code == 400 and f'data-testid="error-{field}"' in page and message in page
        assert client.get(f"/manage/audit-log.csv?{query}").status_code == 400


def test_for_administrators_only_and_in_french_on_acme(demo, acme, events) -> None:
    assert _signed_in(demo, "instructor@demo.test").get("/manage/audit-log/").status_code == 403
    assert _signed_in(demo, "learner1@demo.test").get("/manage/audit-log.csv").status_code == 403
    page = _signed_in(acme).get("/manage/audit-log/").content.decode()
    assert "Journal d'audit" in page and "Télécharger en CSV" in page and "acme.secret_action" in page
    assert "Audit log" not in page and "user.role_changed" not in page
