"""Issue 9 item 14: the host -> tenant cache of every process follows a state change as soon as it
commits. Two real gunicorn processes (one worker each, the cache on for 300 s) serve the test database
on loopback; the test changes the state in its own process and asks both servers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.models import Tenant
from tenants.services import tenant_purge, tenant_suspend
from tests.servers import gunicorn_servers, http_request


@pytest.fixture(scope="module")
def two_servers(django_db_setup: None) -> Iterator[list[int]]:
    """Two gunicorn processes on the test database, each with its own host cache (300 s)."""
    with gunicorn_servers(2, env={"TENANT_CACHE_SECONDS": "300"}) as ports:
        yield ports


def _error_code(body: bytes) -> str:
    return json.loads(body)["error"]["code"]


def test_a_suspension_is_seen_by_every_process_once_it_commits(two_servers, transactional_db, demo) -> None:
    host = demo.get_primary_domain().domain
    for port in two_servers:  # both processes cache the active tenant
        status, body = http_request(port, host, "/api/v1/courses/")
        assert (status, _error_code(body)) == (401, "not_authenticated")

    tenant_suspend(tenant=demo, reason="non-payment", notify=False)

    for port in two_servers:
        status, body = http_request(port, host, "/api/v1/courses/")
        assert (status, _error_code(body)) == (403, "tenant_suspended")


def test_a_purged_tenant_answers_404_in_every_process_never_500(two_servers, transactional_db, make_tenant) -> None:
    tenant = make_tenant()
    host = tenant.get_primary_domain().domain
    past = timezone.now() - timedelta(days=1)
    Tenant.objects.filter(pk=tenant.pk).update(state=Tenant.State.RETENTION, access_ends_at=past - timedelta(days=180),
                                               retention_ends_at=past)
    tenant.refresh_from_db()
    for port in two_servers:  # both processes cache the tenant in retention, its schema still there
        assert http_request(port, host, "/login/")[0] == 200

    tenant_purge(tenant=tenant)

    for port in two_servers:
        status, body = http_request(port, host, "/login/")
        assert status == 404, body[:300]
        assert b"No organisation at this address" in body
