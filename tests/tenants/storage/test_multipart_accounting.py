"""Issue 11 item 5 (SPEC R12, R20): incomplete multipart uploads are counted by the nightly
reconcile, aborted by the purge, and expire by a bucket lifecycle rule set at start-up. Against the
moto S3 server of the dev stack (moto lists, aborts and stores lifecycle rules like S3)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import time_machine

from mooc_platform import storage
from tenants.models import Tenant
from tenants.services import storage_usage_reconcile, tenant_purge, tenant_terminate


def unique() -> str:
    return uuid.uuid4().hex[:10]


def _usage(tenant: Tenant) -> int:
    return Tenant.objects.get(pk=tenant.pk).storage_used_bytes


def _incomplete_multipart(tenant: Tenant, size: int) -> str:
    key = f"{storage.tenant_prefix(schema_name=tenant.schema_name)}media/video/{unique()}/big.mp4"
    upload_id = storage.multipart_create(key=key, content_type="video/mp4")
    storage.s3_client().upload_part(Bucket=storage.bucket_name(), Key=key, UploadId=upload_id, PartNumber=1,
                                    Body=b"i" * size)
    return key


def test_reconcile_counts_incomplete_multipart_uploads(make_tenant) -> None:
    tenant = make_tenant()
    storage.object_put(key=f"{storage.tenant_prefix(schema_name=tenant.schema_name)}media/a.bin", body=b"a" * 300)
    _incomplete_multipart(tenant, 700)
    assert storage_usage_reconcile(tenant=tenant) == 1000
    assert _usage(tenant) == 1000
    for upload in storage.multipart_uploads(prefix=storage.tenant_prefix(schema_name=tenant.schema_name)):
        storage.multipart_abort(key=upload["Key"], upload_id=upload["UploadId"])


def test_purge_aborts_incomplete_multipart_uploads(make_tenant) -> None:
    tenant = make_tenant()
    prefix = storage.tenant_prefix(schema_name=tenant.schema_name)
    _incomplete_multipart(tenant, 500)
    assert len(storage.multipart_uploads(prefix=prefix)) == 1
    paid_through = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    with time_machine.travel(paid_through, tick=False):
        tenant_terminate(tenant=tenant, reason="offence")
    with time_machine.travel(tenant.retention_ends_at + timedelta(hours=1), tick=False):
        tenant_purge(tenant=tenant)
    assert storage.multipart_uploads(prefix=prefix) == []


def test_the_bucket_aborts_incomplete_multipart_uploads_by_a_lifecycle_rule_set_at_start_up() -> None:
    """Set by the dev stack when it started the S3 server of this test run (and by every Celery worker)."""
    rules = storage.s3_client().get_bucket_lifecycle_configuration(Bucket=storage.bucket_name())["Rules"]
    ours = [r for r in rules if r["ID"] == storage.ABORT_INCOMPLETE_RULE_ID]
    assert len(ours) == 1 and ours[0]["Status"] == "Enabled"
    assert ours[0]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": storage.ABORT_INCOMPLETE_DAYS}
    storage.bucket_lifecycle_ensure()  # idempotent: still one rule
    rules = storage.s3_client().get_bucket_lifecycle_configuration(Bucket=storage.bucket_name())["Rules"]
    assert [r["ID"] for r in rules].count(storage.ABORT_INCOMPLETE_RULE_ID) == 1
