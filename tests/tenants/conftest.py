"""Fixtures of the tenants tests: fresh tenants cloned from the template (cheap, `TenantFactory`), dropped
at the end. Helpers live in tests/tenants/helpers.py; the old names stay importable from here."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.models import Tenant
from tests.factories import TenantFactory
from tests.tenants.helpers import put_media, s3_keys, unique_slug

__all__ = ["put_media", "s3_keys", "unique_slug"]


@pytest.fixture
def make_tenant(db: None) -> Iterator[Callable[..., Tenant]]:
    """Provision tenants with a learner (password DEMO_PASSWORD); in `db` tests the schemas vanish
    with the rolled-back transaction, in transactional ones they are dropped here."""
    made: list[Tenant] = []

    def make(slug: str | None = None, *, passwords: bool = True, **fields: object) -> Tenant:
        tenant = TenantFactory(passwords=passwords, **({"slug": slug} if slug else {}), **fields)
        made.append(tenant)
        return tenant

    yield make
    connection.set_schema_to_public()
    for tenant in made:
        if not connection.in_atomic_block and schema_exists(tenant.schema_name):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')
