"""The organisation page's database-node block and its move page (issue 16) on one PostgreSQL: no block,
and the move page says there is no other node; nothing fails, nothing is audited. The move itself runs on
the Citus cluster (tests/citus/test_schema_move.py, `make test-citus`)."""

from __future__ import annotations

import pytest
from django.test import Client

from mooc_platform.errors import ConflictError
from tenants.errors import Code
from tenants.models import AuditEvent
from tenants.services import tenant_node_move
from tests.helpers import console_client


def test_on_one_postgresql_the_page_has_no_node_block_and_the_move_page_says_why(make_tenant) -> None:
    tenant = make_tenant()
    console = console_client()
    page = console.get(f"/console/organisations/{tenant.pk}/")
    assert page.status_code == 200 and 'data-testid="database-node"' not in page.content.decode()
    move = console.get(f"/console/organisations/{tenant.pk}/node/")
    assert move.status_code == 200
    assert "one PostgreSQL server: there is no other node" in move.content.decode()
    refused = console.post(f"/console/organisations/{tenant.pk}/node/", {"node": "127.0.0.1:9701"})
    assert refused.status_code == 400
    assert not AuditEvent.objects.filter(action="tenant.node_moved").exists()


def test_the_move_page_speaks_french(make_tenant) -> None:
    tenant = make_tenant()
    console = console_client(HTTP_ACCEPT_LANGUAGE="fr")
    from mooc_platform.accounts.models import User

    User.objects.filter(email="operator@demo.test").update(language="fr")
    body = console.get(f"/console/organisations/{tenant.pk}/node/").content.decode()
    assert "Déplacer vers un autre nœud" in body


def test_the_service_refuses_a_move_without_citus(make_tenant) -> None:
    tenant = make_tenant()
    with pytest.raises(ConflictError) as refused:
        tenant_node_move(tenant=tenant, node="127.0.0.1:9701", actor=None)
    assert refused.value.code == Code.NOT_DISTRIBUTED


def test_strangers_are_sent_to_the_console_sign_in(make_tenant) -> None:
    tenant = make_tenant()
    for method in ("get", "post"):
        response = getattr(Client(HTTP_HOST="localhost"), method)(f"/console/organisations/{tenant.pk}/node/")
        assert response.status_code == 302 and response["Location"].startswith("/console/login/")
