"""The storage reconciliation cannot lose an upload confirmed while it lists S3 (issue 9 item 13, SPEC R20): on two
database connections, the upload's increment lands on top of the reconciled figure."""

from __future__ import annotations

import threading
import time

from django.db import connection
from django_tenants.utils import schema_context

import tenants.services.storage as storage_room
from mooc_platform import storage
from tenants.models import Tenant
from tenants.services import storage_usage_reconcile
from tests.tenants.conftest import put_media


def test_an_upload_confirmed_during_the_reconciliation_keeps_its_bytes(transactional_db, make_tenant,
                                                                       monkeypatch) -> None:
    tenant = make_tenant()
    put_media(tenant, "old.bin", b"o" * 300)
    real_prefix_size = storage_room.s3.prefix_size
    listed = threading.Event()
    upload_done = threading.Event()

    def prefix_size_then_let_an_upload_land(**kwargs):
        size = real_prefix_size(**kwargs)  # the listing does not see the upload below
        listed.set()
        deadline = time.monotonic() + 5
        while not upload_done.is_set() and time.monotonic() < deadline:  # the upload waits for the row, or ends
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                               "AND datname = current_database() AND pid <> pg_backend_pid()")
                if cursor.fetchone()[0]:
                    break
            time.sleep(0.05)
        return size

    monkeypatch.setattr(storage_room.s3, "prefix_size", prefix_size_then_let_an_upload_land)
    results: dict[str, object] = {}

    def reconcile() -> None:
        try:
            results["reconciled"] = storage_usage_reconcile(tenant=Tenant.objects.get(pk=tenant.pk))
        finally:
            connection.close()

    def upload_confirmed() -> None:
        listed.wait(10)
        try:
            with schema_context(tenant.schema_name):  # as media_upload_confirm counts a confirmed upload
                storage.storage_usage_add(delta_bytes=1000)
            results["upload"] = "counted"
        finally:
            upload_done.set()
            connection.close()

    threads = [threading.Thread(target=reconcile), threading.Thread(target=upload_confirmed)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == {"reconciled": 300, "upload": "counted"}
    assert Tenant.objects.get(pk=tenant.pk).storage_used_bytes == 1300
