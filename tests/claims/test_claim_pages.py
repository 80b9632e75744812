"""The administrators' claim pages (tenant host) and the operators' queue (console): file, read the answer,
follow up; the queue filtered on open claims, the dashboard's tile, the answer and the status."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from claims import services
from claims.models import Claim
from tests.helpers import console_client, host_of
from tests.invoicing.helpers import paris

from .helpers import administrator_of, past_window

pytestmark = pytest.mark.django_db
NOW = paris(2027, 1, 12, 15, 30)


def _signed_in(tenant, email=None) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(administrator_of(tenant, email))
    return client


def test_an_administrator_files_a_claim_from_the_page_and_sees_it_listed(demo) -> None:
    with time_machine.travel(NOW, tick=False):
        client = _signed_in(demo)
        window = past_window(tenants=[demo], now=NOW)
        form = client.get("/claims/new/")
        assert f'value="{window.pk}"' in form.content.decode()
        refused = client.post("/claims/new/", {"kind": "claim", "category": "maintenance",
                                               "event_at": "2027-01-13T09:00",
                                               "subject": "Down", "body": "Down"})
        assert refused.status_code == 400
        assert "The event cannot be in the future." in refused.content.decode()
        response = client.post("/claims/new/", {"kind": "claim", "category": "maintenance",
                                                "maintenance_window": str(window.pk), "event_at": "2027-01-12T09:00",
                                                "subject": "Window overran", "body": "Still down at 18:00."},
                               follow=True)
        # Still on 2027-01-12: a year later (make test-future) the session would have expired.
        listing = client.get("/claims/").content.decode()
    claim = Claim.objects.get(tenant=demo, subject="Window overran")
    # Typed in Paris time: 09:00 in Paris is 08:00 UTC in January.
    assert claim.event_at == paris(2027, 1, 12, 9, 0) and claim.received_at == NOW and claim.late is False
    page = response.content.decode()
    assert f"Claim {claim.reference} received on Jan. 12, 2027, 3:30 p.m." in page
    assert "No answer yet: we will e-mail you when there is one." in page
    assert claim.reference in listing and "Window overran" in listing


def test_the_claims_pages_are_for_administrators_and_an_empty_list_says_so(acme) -> None:
    learner = _signed_in(acme, "learner1@acme.test")
    assert learner.get("/claims/").status_code == 403
    assert learner.post("/claims/new/", {"subject": "x"}).status_code == 403
    admin = _signed_in(acme)
    if not Claim.objects.filter(tenant=acme).exists():
        assert 'data-testid="claims-empty"' in admin.get("/claims/").content.decode()
    assert admin.get("/claims/999999/").status_code == 404


def test_the_operator_answers_from_the_console_and_the_administrator_reads_it(demo) -> None:
    with time_machine.travel(NOW, tick=False):
        claim = services.claim_file(tenant=demo, actor=administrator_of(demo), category="other",
                                    event_at=NOW - timedelta(hours=50), subject="Late one", body="b")
    console = console_client()
    dashboard = console.get("/console/").content.decode()
    assert f'data-testid="claims-open-count">{Claim.objects.filter(status__in=Claim.OPEN_STATUSES).count()}<' \
        in dashboard
    queue = console.get("/console/claims/?status=open").content.decode()
    assert claim.reference in queue and "Late one" in queue
    assert claim.reference not in console.get("/console/claims/?status=closed").content.decode()
    page = console.get(f"/console/claims/{claim.pk}/").content.decode()
    assert 'data-testid="claim-late"><strong>yes</strong>' in page
    empty = console.post(f"/console/claims/{claim.pk}/", {"action": "reply", "body": "", "status": "answered"})
    assert empty.status_code == 400 and Claim.objects.get(pk=claim.pk).messages.count() == 0
    console.post(f"/console/claims/{claim.pk}/", {"action": "reply", "body": "We credit one day.",
                                                  "status": "answered"})
    console.post(f"/console/claims/{claim.pk}/", {"action": "status", "status": "in_progress"})
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.IN_PROGRESS
    trail = console.get(f"/console/claims/{claim.pk}/").content.decode()
    assert "claim.replied" in trail and "claim.status_changed" in trail
    mine = _signed_in(demo).get(f"/claims/{claim.pk}/").content.decode()
    assert "We credit one day." in mine and "In progress" in mine
    assert "more than 48 hours after the event" in mine
