"""Storage usage reconciled against S3 (SPEC R20)."""

from __future__ import annotations

from tenants.models import Tenant
from tenants.selectors import tenant_storage_status
from tenants.services import (
    storage_usage_reconcile,
)
from tenants.tasks import storage_usage_reconcile_all_task
from tests.tenants.helpers import put_media


def test_reconciliation_sets_usage_to_the_bytes_on_s3_exports_excluded(make_tenant) -> None:
    tenant = make_tenant(storage_quota_bytes=1000)
    Tenant.objects.filter(pk=tenant.pk).update(storage_used_bytes=999_999)
    put_media(tenant, "a.bin", b"a" * 300)
    put_media(tenant, "b.bin", b"b" * 510)
    from mooc_platform import storage

    storage.object_put(key=f"tenants/{tenant.schema_name}/exports/1.zip", body=b"z" * 4000)
    assert storage_usage_reconcile(tenant=tenant) == 810
    assert Tenant.objects.get(pk=tenant.pk).storage_used_bytes == 810
    assert tenant_storage_status(tenant=tenant) == {"used_bytes": 810, "quota_bytes": 1000, "ratio": 0.81,
                                                    "level": "warning"}


def test_periodic_reconciliation_covers_every_live_tenant(make_tenant) -> None:
    tenant = make_tenant()
    put_media(tenant, "c.bin", b"c" * 42)
    assert storage_usage_reconcile_all_task() >= 3
    assert Tenant.objects.get(pk=tenant.pk).storage_used_bytes == 42
