"""Issue 11 item 5: storage accounting is exact and purge leaves nothing (SPEC R12, R20). Against the
moto S3 server of the dev stack, through the project's one boto3 client (no mocked client).

Moto does not check presigned signatures nor POST policies: that S3 refuses a body of another length
is asserted on the signature itself (Content-Length among the signed headers); what moto does run
(multipart uploads, their listing and abortion, lifecycle rules) is exercised for real."""

from __future__ import annotations

import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django_tenants.utils import schema_context

from courses import services
from courses.models import MediaUpload
from courses.tasks import media_uploads_expire_all
from mooc_platform import storage
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.helpers import client_for, unique

MB = 1024 * 1024
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _put(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="PUT", headers=headers)
    with urllib.request.urlopen(request) as response:
        return response.status


def _usage(tenant: Tenant) -> int:
    return Tenant.objects.get(pk=tenant.pk).storage_used_bytes


def _signed_headers(url: str) -> tuple[list[str], int]:
    query = parse_qs(urlsplit(url).query)
    return query["X-Amz-SignedHeaders"][0].split(";"), int(query["X-Amz-Expires"][0])


def _sign(client, size: int, purpose: str = "file", content_type: str = "application/pdf"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/uploads/", {"purpose": purpose, "filename": "f.pdf", "content_type": content_type,
                                            "size": size}, format="json")


def test_presigned_puts_and_parts_bind_the_declared_size_and_are_short_lived(demo_host, in_demo, settings) -> None:
    instructor = client_for(demo_host, "instructor@demo.test")
    single = _sign(instructor, 1234).json()
    assert single["headers"] == {"Content-Type": "application/pdf", "Content-Length": "1234"}
    signed, expires = _signed_headers(single["url"])
    assert {"content-length", "content-type", "host"} <= set(signed) and expires == 900
    settings.COURSES_MULTIPART_THRESHOLD = 1 * MB
    settings.COURSES_MULTIPART_PART_SIZE = 5 * MB
    multi = _sign(instructor, 12 * MB + 7, purpose="video", content_type="video/mp4").json()
    assert len(multi["part_urls"]) == 3
    for url in multi["part_urls"]:
        signed, expires = _signed_headers(url)
        assert "content-length" in signed and expires == 900
    for upload in MediaUpload.objects.filter(pk__in=[single["id"], multi["id"]]):
        services.media_delete(upload=upload)


def test_multipart_parts_adding_up_past_the_declared_size_are_refused_and_aborted(demo, demo_host, in_demo,
                                                                                  settings) -> None:
    settings.COURSES_MULTIPART_THRESHOLD = 1 * MB
    settings.COURSES_MULTIPART_PART_SIZE = 5 * MB
    instructor = client_for(demo_host, "instructor@demo.test")
    before = _usage(demo)
    data = _sign(instructor, 5 * MB + 10, purpose="video", content_type="video/mp4").json()
    upload = MediaUpload.objects.get(pk=data["id"])
    # A client ignoring the signed lengths (moto does not check them): 5 MB + 5 MB sent for 5 MB + 10.
    for number in (1, 2):
        storage.s3_client().upload_part(Bucket=storage.bucket_name(), Key=upload.key, UploadId=upload.multipart_id,
                                        PartNumber=number, Body=b"x" * (5 * MB))
    refused = instructor.post(f"/api/v1/uploads/{data['id']}/confirm/")
    assert refused.status_code == 413 and refused.json()["error"]["details"] == {"size": 10 * MB}
    assert _usage(demo) == before
    assert not MediaUpload.objects.filter(pk=data["id"]).exists()
    assert storage.multipart_uploads(prefix=upload.key) == []


def test_pending_uploads_reserve_quota_until_confirmed_or_expired(demo, demo_host, in_demo) -> None:
    Tenant.objects.filter(pk=demo.pk).update(storage_quota_bytes=F("storage_used_bytes") + 1000)
    instructor = client_for(demo_host, "instructor@demo.test")
    with time_machine.travel(NOW, tick=False):
        first = _sign(instructor, 600)
        assert first.status_code == 201
        second = _sign(instructor, 600)
        assert second.status_code == 413
        assert second.json()["error"]["details"]["reserved_bytes"] == 600
        _put(first.json()["url"], b"p" * 600, first.json()["headers"])
        key = first.json()["key"]
    later = NOW + timedelta(seconds=services.upload_reservation_seconds() + 1)
    with time_machine.travel(later, tick=False):
        assert _sign(instructor, 600).status_code == 201  # the first reservation has lapsed
        released = services.media_uploads_expire()
    assert released >= 1  # ours, and any upload other tests left pending before NOW
    assert not MediaUpload.objects.filter(pk=first.json()["id"]).exists()
    assert storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix=key).get("KeyCount", 0) == 0


def test_the_periodic_task_releases_expired_reservations_in_every_tenant(demo, acme) -> None:
    keys = {}
    with time_machine.travel(NOW, tick=False):
        for tenant in (demo, acme):
            with schema_context(tenant.schema_name):
                author = User.objects.get(email=f"instructor@{tenant.slug}.test")
                signed = services.media_upload_sign(actor=author, purpose="file", filename="x.pdf",
                                                    content_type="application/pdf", size=10)
                storage.object_put(key=signed.upload.key, body=b"0123456789", content_type="application/pdf")
                keys[tenant.slug] = signed.upload.key
    connection.set_schema_to_public()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert media_uploads_expire_all() >= 2
    for tenant in (demo, acme):
        with schema_context(tenant.schema_name):
            assert not MediaUpload.objects.filter(key=keys[tenant.slug]).exists()
        listed = storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix=keys[tenant.slug])
        assert listed.get("KeyCount", 0) == 0
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["courses-media-uploads-expire"]["task"] == "courses.media_uploads_expire_all"


def test_deleting_twice_never_counts_twice_and_the_counter_never_goes_negative(demo, demo_host, in_demo) -> None:
    instructor = client_for(demo_host, "instructor@demo.test")
    data = _sign(instructor, 100).json()
    _put(data["url"], b"d" * 100, data["headers"])
    instructor.post(f"/api/v1/uploads/{data['id']}/confirm/")
    upload = MediaUpload.objects.get(pk=data["id"])
    Tenant.objects.filter(pk=demo.pk).update(storage_used_bytes=40)  # a stale figure below the object's size
    services.media_delete(upload=upload)
    services.media_delete(upload=upload)
    assert _usage(demo) == 0


# --- Concurrency: real threads, real connections ---------------------------------------------------------


def _twice_at_once(action) -> list[object]:  # type: ignore[no-untyped-def]
    barrier, results = threading.Barrier(2), []

    def run() -> None:
        barrier.wait()
        try:
            with schema_context("t_demo"):
                results.append(action())
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def committed_upload(transactional_db, demo):  # type: ignore[no-untyped-def]
    Tenant.objects.filter(pk=demo.pk).update(storage_used_bytes=0, storage_quota_bytes=10 * MB)
    with schema_context(demo.schema_name):
        author = User.objects.get(email="instructor@demo.test")
        signed = services.media_upload_sign(actor=author, purpose="file", filename=f"{unique()}.pdf",
                                            content_type="application/pdf", size=300)
        storage.object_put(key=signed.upload.key, body=b"c" * 300, content_type="application/pdf")
    connection.set_schema_to_public()
    return signed.upload


def test_concurrent_confirms_count_the_upload_once(committed_upload, demo) -> None:
    def confirm() -> object:
        return services.media_upload_confirm(upload=committed_upload)[0].size

    assert _twice_at_once(confirm) == [300, 300]
    assert _usage(demo) == 300

    def delete() -> object:
        services.media_delete(upload=committed_upload)
        return "deleted"

    assert _twice_at_once(delete) == ["deleted", "deleted"]
    assert _usage(demo) == 0
