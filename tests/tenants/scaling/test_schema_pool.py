"""The pool of pre-cloned tenant schemas (tenants/schema_pool.py, issue 16): provisioning renames a ready
schema instead of cloning; a migrated template retires the pool; the pool is off by default."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from mooc_platform.accounts.models import User
from tenants import schema_pool
from tenants.migration import template_schema_name
from tenants.services import tenant_provision
from tests.tenants.helpers import unique_slug
from tests.tenants.provisioning.test_provisioning import _structure


def _provision() -> str:
    slug = unique_slug()
    return tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.test", invite=False).schema_name


def test_the_pool_is_off_by_default_and_provisioning_clones(db, settings) -> None:
    assert settings.TENANT_SCHEMA_POOL_SIZE == 0
    assert schema_pool.pool_refill() == {"created": 0, "dropped": 0}
    _provision()
    assert schema_pool.pool_schemas_ready() == []


def test_provisioning_renames_a_ready_pool_schema_and_the_refill_tops_the_pool_up(
        db, settings, django_capture_on_commit_callbacks) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = 2
    assert schema_pool.pool_refill() == {"created": 2, "dropped": 0}
    ready = schema_pool.pool_schemas_ready()
    assert len(ready) == 2 and all(name.startswith("tpool_") for name in ready)
    with django_capture_on_commit_callbacks() as callbacks:
        schema = _provision()
    taken = set(ready) - set(schema_pool.pool_schemas_ready())
    assert len(taken) == 1 and not schema_exists(next(iter(taken)))  # renamed, not copied
    assert _structure(schema) == _structure(template_schema_name())
    with schema_context(schema):
        assert User.objects.count() == 1
        assert User.objects.create_user(f"second@{schema}.test", None).pk > 0  # identity sequences kept
    assert len(callbacks) >= 1  # the refill is queued after the commit
    assert schema_pool.pool_refill() == {"created": 1, "dropped": 0}
    assert len(schema_pool.pool_schemas_ready()) == 2


def test_an_empty_pool_falls_back_to_the_clone(db, settings) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = 3
    schema = _provision()
    assert _structure(schema) == _structure(template_schema_name())


def test_a_migrated_template_retires_the_pool_schemas(db, settings) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = 1
    schema_pool.pool_refill()
    stale = schema_pool.pool_schemas_ready()
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{template_schema_name()}".django_migrations (app, name, applied) '
                       "VALUES ('courses', '9999_probe', now())")
    assert schema_pool.pool_schemas_ready() == []  # never handed out: it misses the new migration
    schema = _provision()
    assert schema_exists(stale[0])
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}".django_migrations WHERE name = %s', ["9999_probe"])
        assert cursor.fetchone()[0] == 1
    assert schema_pool.pool_refill() == {"created": 1, "dropped": 1}
    assert not schema_exists(stale[0])
