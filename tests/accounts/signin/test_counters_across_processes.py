"""Issue 11 item 2, done when: two gunicorn workers of the embedded stack share the sign-in counters.
Two real gunicorn processes serve the test database on loopback with the default cache settings (no
Redis: the shared database cache); failed sign-ins spread over both count as one series."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import AccessToken
from mooc_platform.demo import DEMO_PASSWORD
from tests.servers import gunicorn_servers, http_request


@pytest.fixture(scope="module")
def two_workers(django_db_setup: None) -> Iterator[list[int]]:
    """Two gunicorn processes on the test database, with the cache settings of the embedded stack."""
    with gunicorn_servers(2, drop=("CACHE_URL", "REDIS_URL")) as ports:
        yield ports


def _token(port: int, host: str, email: str, password: str) -> tuple[int, str]:
    status, body = http_request(port, host, "/api/v1/auth/token/", method="POST",
                                body={"email": email, "password": password})
    data = json.loads(body)
    return status, data["error"]["code"] if "error" in data else "token"


def test_two_workers_count_failed_sign_ins_together(two_workers, transactional_db, demo) -> None:
    host = demo.get_primary_domain().domain
    first, second = two_workers
    with connection.cursor() as cursor:  # the servers' cache, even when this process was given Redis
        cursor.execute("DELETE FROM public.mooc_cache")
    assert _token(first, host, "learner1@demo.test", DEMO_PASSWORD) == (200, "token")
    for n in range(5):  # 5 failures for one account from one address, alternating between the processes
        assert _token((first, second)[n % 2], host, "learner1@demo.test", "wrong-password-1") == (
            400, "invalid_credentials")
    # Each process saw 2 or 3 failures only: the limit of 5 holds because the counter is shared.
    assert _token(first, host, "learner1@demo.test", DEMO_PASSWORD) == (429, "login_throttled")
    assert _token(second, host, "learner1@demo.test", DEMO_PASSWORD) == (429, "login_throttled")
    assert _token(second, host, "learner2@demo.test", DEMO_PASSWORD) == (200, "token")
    with schema_context(demo.schema_name):  # committed in the tenant schema, which no flush empties
        AccessToken.objects.filter(user__email__in=["learner1@demo.test", "learner2@demo.test"]).delete()
