"""On Citus (issue 16): every tenant schema, the template's and the pool's are distributed schemas placed on a
worker (their tables are not left on the coordinator), whichever way they were made."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tenants import clone, schema_pool
from tenants.citus import schema_is_distributed, schema_nodes, worker_nodes
from tenants.migration import template_schema_name
from tenants.models import Tenant
from tenants.services import tenant_provision
from tests.tenants.helpers import unique_slug


def _distributed_tables(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s", [schema])
        return cursor.fetchone()[0]


def _tables(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = %s AND c.relkind = 'r'", [schema])
        return cursor.fetchone()[0]


def test_the_demo_tenants_and_the_template_live_on_workers(db) -> None:
    schemas = [template_schema_name(), *Tenant.objects.exclude(schema_name="public")
               .filter(slug__in=["demo", "acme"]).values_list("schema_name", flat=True)]
    nodes = schema_nodes(schema_names=schemas)
    assert len(schemas) == 3
    assert all(node in worker_nodes() for node in nodes.values()), nodes
    for schema in schemas:
        assert _distributed_tables(schema) == _tables(schema) > 20


def test_a_provisioned_tenant_is_a_distributed_schema_that_serves(db) -> None:
    slug = unique_slug()
    tenant = tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.test", invite=False)
    assert schema_nodes(schema_names=[tenant.schema_name])[tenant.schema_name] in worker_nodes()
    assert _distributed_tables(tenant.schema_name) == _tables(template_schema_name())
    with schema_context(tenant.schema_name):
        assert list(User.objects.values_list("email", flat=True)) == [f"admin@{slug}.test"]


def test_the_fallback_clone_distributes_the_schema_it_made(db, monkeypatch) -> None:
    """django-tenants' PL/pgSQL cloner creates the schema inside a function, unseen by Citus."""
    monkeypatch.setattr(clone, "_script", lambda cursor, source: clone._TemplateScript(statements=[], supported=False))
    clone.schema_clone(source=template_schema_name(), target="t_fallback_clone")
    assert schema_is_distributed(schema_name="t_fallback_clone")
    assert _distributed_tables("t_fallback_clone") == _tables(template_schema_name())


@pytest.mark.parametrize("pool_size", [2])
def test_provisioning_takes_a_distributed_schema_from_the_pool(db, settings, pool_size: int) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = pool_size
    schema_pool.pool_refill()
    ready = schema_pool.pool_schemas_ready()
    assert len(ready) == pool_size and all(schema_is_distributed(schema_name=name) for name in ready)
    slug = unique_slug()
    tenant = tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.test", invite=False)
    assert len(schema_pool.pool_schemas_ready()) == pool_size - 1
    assert schema_nodes(schema_names=[tenant.schema_name])[tenant.schema_name] in worker_nodes()
    with schema_context(tenant.schema_name):
        assert User.objects.get().email == f"admin@{slug}.test"
