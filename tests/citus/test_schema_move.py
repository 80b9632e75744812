"""A tenant's schema moves to the other worker while a client reads and writes it, and nothing is lost
(issue 16): `citus_schema_move` copies the tables by logical replication and blocks writes only for the
switch. The move is the operator's, from the console (confirmation page, audited)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tenants.citus import schema_nodes, worker_nodes
from tenants.models import AuditEvent, Tenant
from tenants.services import tenant_node_move, tenant_provision
from tests.helpers import console_client
from tests.tenants.helpers import unique_slug


@pytest.fixture
def moving_tenant(transactional_db: None) -> Iterator[Tenant]:
    slug = unique_slug("mv")
    tenant = tenant_provision(slug=slug, name=f"Moving {slug}", admin_email=f"admin@{slug}.test", invite=False)
    yield tenant
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')


class Client(threading.Thread):
    """Writes a user, then reads them all back, in a loop, on its own database connection."""

    def __init__(self, schema: str) -> None:
        super().__init__(daemon=True)
        self.schema, self.stop = schema, threading.Event()
        self.written: list[str] = []
        self.errors: list[str] = []
        self.reads = 0

    def run(self) -> None:
        try:
            with schema_context(self.schema):
                while not self.stop.is_set():
                    email = f"user{len(self.written)}@{self.schema}.test"
                    try:
                        User.objects.create_user(email, None, role=User.Role.LEARNER)
                        self.written.append(email)
                        seen = set(User.objects.values_list("email", flat=True))
                        self.reads += 1
                        if not set(self.written) <= seen:
                            self.errors.append(f"read after write misses {set(self.written) - seen}")
                    except Exception as exc:
                        self.errors.append(repr(exc))
                    time.sleep(0.005)
        finally:
            connections["default"].close()


def _move_while_serving(tenant: Tenant, move: callable) -> tuple[Client, object, object]:  # type: ignore[valid-type]
    before = schema_nodes(schema_names=[tenant.schema_name])[tenant.schema_name]
    target = next(node for node in worker_nodes() if node != before)
    client = Client(tenant.schema_name)
    client.start()
    while len(client.written) < 20:
        time.sleep(0.01)
    written_before_move = len(client.written)
    move(target)
    after_move = len(client.written)
    while len(client.written) < after_move + 20 and client.is_alive():
        time.sleep(0.01)
    client.stop.set()
    client.join(timeout=30)
    assert client.errors == []
    assert len(client.written) > after_move >= written_before_move
    return client, before, target


def test_a_schema_moves_to_the_other_worker_while_a_client_reads_and_writes_it(moving_tenant) -> None:
    tenant = moving_tenant
    client, before, target = _move_while_serving(
        tenant, lambda node: tenant_node_move(tenant=tenant, node=str(node), actor=None))
    assert schema_nodes(schema_names=[tenant.schema_name])[tenant.schema_name] == target != before
    with schema_context(tenant.schema_name):
        stored = set(User.objects.values_list("email", flat=True))
    assert stored == {f"admin@{tenant.slug}.test", *client.written}  # nothing lost, nothing doubled
    event = AuditEvent.objects.get(action="tenant.node_moved", tenant=tenant)
    assert event.before == {"node": str(before)} and event.after == {"node": str(target)}


def test_the_console_shows_the_node_and_moves_the_tenant_after_confirmation(moving_tenant) -> None:
    tenant = moving_tenant
    # Committed data of an earlier transactional test was flushed from public: an operator of our own.
    User.objects.create_user(f"ops@{tenant.slug}.test", None, role=User.Role.OPERATOR, is_staff=True)
    console = console_client(f"ops@{tenant.slug}.test", REMOTE_ADDR="203.0.113.7")
    node = schema_nodes(schema_names=[tenant.schema_name])[tenant.schema_name]
    page = console.get(f"/console/organisations/{tenant.pk}/").content.decode()
    assert 'data-testid="database-node"' in page and f'data-testid="node">{node}<' in page
    confirm = console.get(f"/console/organisations/{tenant.pk}/node/")
    assert confirm.status_code == 200 and "keeps serving" in confirm.content.decode()
    other = next(worker for worker in worker_nodes() if worker != node)
    assert schema_nodes(schema_names=[tenant.schema_name])[tenant.schema_name] == node  # a GET moves nothing

    def move(target: object) -> None:
        response = console.post(f"/console/organisations/{tenant.pk}/node/", {"node": str(target)})
        assert response.status_code == 302, response.content.decode()[:500]

    _client, _before, target = _move_while_serving(tenant, move)
    assert target == other == schema_nodes(schema_names=[tenant.schema_name])[tenant.schema_name]
    event = AuditEvent.objects.get(action="tenant.node_moved", tenant=tenant)
    assert event.actor_email == f"ops@{tenant.slug}.test" and event.ip_address == "203.0.113.7"
    again = console.post(f"/console/organisations/{tenant.pk}/node/", {"node": "10.0.0.1:1"})
    assert again.status_code == 400  # not a worker of the cluster: the form says so, nothing moves
