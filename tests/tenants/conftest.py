"""Fixtures of the tenants tests: fresh tenants cloned from the template (cheap), S3 helpers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tenants.services import tenant_provision


def unique_slug(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def s3_keys(tenant: Tenant) -> list[tuple[str, str]]:
    """Every (key, version id) left under the tenant's prefix, delete markers included."""
    listing = storage.s3_client().list_object_versions(Bucket=storage.bucket_name(),
                                                       Prefix=storage.tenant_prefix(schema_name=tenant.schema_name))
    return sorted([(v["Key"], v["VersionId"]) for v in listing.get("Versions", [])]
                  + [(m["Key"], m["VersionId"]) for m in listing.get("DeleteMarkers", [])])


def put_media(tenant: Tenant, name: str, body: bytes) -> str:
    key = f"{storage.tenant_prefix(schema_name=tenant.schema_name)}media/{name}"
    storage.object_put(key=key, body=body)
    return key


@pytest.fixture
def make_tenant(db: None) -> Iterator[Callable[..., Tenant]]:
    """Provision tenants with a learner (password DEMO_PASSWORD); in `db` tests the schemas vanish
    with the rolled-back transaction, in transactional ones they are dropped here."""
    made: list[Tenant] = []

    def make(slug: str | None = None, *, passwords: bool = True, **fields: object) -> Tenant:
        slug = slug or unique_slug()
        tenant = tenant_provision(slug=slug, name=f"Org {slug}", admin_email=f"admin@{slug}.test", language="en",
                                  **fields)
        made.append(tenant)
        if not passwords:  # the administrator is only invited, as after a real provisioning
            return tenant
        with schema_context(tenant.schema_name):
            admin = User.objects.get(email=f"admin@{slug}.test")
            admin.set_password(DEMO_PASSWORD)
            admin.save()
            User.objects.create_user(f"learner@{slug}.test", DEMO_PASSWORD, role=User.Role.LEARNER)
        return tenant

    yield make
    connection.set_schema_to_public()
    for tenant in made:
        if not connection.in_atomic_block and schema_exists(tenant.schema_name):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')
