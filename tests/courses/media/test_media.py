"""Media on S3 (SPEC R20): presigned browser uploads under the tenant prefix, type/size/quota checks,
warnings at 80 % and 100 %, presigned downloads, objects deleted with their lesson (once out of the bin)."""

import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import time_machine
from django.db.models import F
from django.utils import timezone

from courses import services
from courses.models import Lesson, MediaUpload
from mooc_platform import storage
from tenants.models import Tenant
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for, unique


def _tenant_usage(tenant: Tenant) -> int:
    return Tenant.objects.get(pk=tenant.pk).storage_used_bytes


def _quota_left(tenant: Tenant, free: int) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(storage_quota_bytes=F("storage_used_bytes") + free)


def _put(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="PUT", headers=headers)
    with urllib.request.urlopen(request) as response:
        return response.status


def test_presigned_upload_round_trip_through_s3_counts_usage_and_serves_a_presigned_get(
        demo, demo_host, in_demo) -> None:
    instructor = client_for(demo_host, "instructor@demo.test")
    body = b"\x00\x00\x00\x18ftypmp42" + b"v" * 1000
    before = _tenant_usage(demo)
    signed = instructor.post("/api/v1/uploads/", {"purpose": "video", "filename": "intro video.mp4",
                                                  "content_type": "video/mp4", "size": len(body)}, format="json")
    assert signed.status_code == 201, signed.content
    data = signed.json()
    assert data["key"].startswith("tenants/t_demo/media/video/") or data["key"].startswith(
        f"tenants/{demo.schema_name}/media/video/")
    assert data["key"].endswith("/intro-video.mp4")
    assert data["headers"] == {"Content-Type": "video/mp4", "Content-Length": str(len(body))}
    assert _put(data["url"], body, data["headers"]) == 200

    confirmed = instructor.post(f"/api/v1/uploads/{data['id']}/confirm/")
    assert confirmed.json()["size"] == len(body)
    assert _tenant_usage(demo) == before + len(body)

    course = CourseFactory(author=UserFactory(role="instructor"), quiz=False, publish=False)
    module = course.modules.get()
    lesson = instructor.post(f"/api/v1/modules/{module.pk}/lessons/",
                             {"title": "Intro", "kind": "video", "media_upload_id": data["id"]}, format="json")
    assert lesson.status_code == 201, lesson.content
    media = instructor.get(f"/api/v1/lessons/{lesson.json()['id']}/media/").json()
    with urllib.request.urlopen(media["url"]) as response:
        assert response.read() == body

    # Deleting puts the lesson in the bin (issue 14 item 5): its media stays for an undo, and goes with the purge.
    assert instructor.delete(f"/api/v1/lessons/{lesson.json()['id']}/").status_code == 204
    assert MediaUpload.objects.filter(pk=data["id"]).exists()
    with time_machine.travel(timezone.now() + timedelta(days=services.BIN_DAYS, minutes=1), tick=False):
        services.bin_purge()
    assert _tenant_usage(demo) == before
    assert not MediaUpload.objects.filter(pk=data["id"]).exists()
    listed = storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix=data["key"])
    assert listed.get("KeyCount", 0) == 0


def test_upload_past_the_quota_is_refused_before_signing(demo, demo_host) -> None:
    _quota_left(demo, 1000)
    response = client_for(demo_host, "instructor@demo.test").post(
        "/api/v1/uploads/", {"purpose": "file", "filename": "big.pdf", "content_type": "application/pdf",
                             "size": 1001}, format="json")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "storage_quota_exceeded"
    assert error["details"]["requested_bytes"] == 1001


@pytest.mark.parametrize(("free", "size", "warning"), [(1000, 100, None), (1000, 800, "80"), (1000, 1000, "100")])
def test_signing_warns_at_80_and_100_percent_of_the_quota(demo, demo_host, free, size, warning) -> None:
    Tenant.objects.filter(pk=demo.pk).update(storage_used_bytes=0, storage_quota_bytes=free)
    response = client_for(demo_host, "instructor@demo.test").post(
        "/api/v1/uploads/", {"purpose": "file", "filename": "a.pdf", "content_type": "application/pdf",
                             "size": size}, format="json")
    assert response.status_code == 201
    assert response.json()["storage_warning"] == warning


def test_wrong_type_or_size_is_refused(demo_host) -> None:
    instructor = client_for(demo_host, "instructor@demo.test")
    exe = instructor.post("/api/v1/uploads/", {"purpose": "file", "filename": "x.exe",
                                               "content_type": "application/x-msdownload", "size": 10}, format="json")
    assert exe.status_code == 400 and exe.json()["error"]["code"] == "upload_refused"
    logo = instructor.post("/api/v1/uploads/", {"purpose": "video", "filename": "huge.mp4",
                                                "content_type": "video/mp4", "size": 5 * 1024**3}, format="json")
    assert logo.status_code == 400 and logo.json()["error"]["code"] == "upload_refused"
    learner = client_for(demo_host, "learner1@demo.test")
    assert learner.post("/api/v1/uploads/", {"purpose": "file", "filename": "a.pdf",
                                             "content_type": "application/pdf", "size": 10}, format="json"
                        ).status_code == 403


def test_confirming_an_object_larger_than_announced_deletes_it(demo, demo_host, in_demo) -> None:
    instructor = client_for(demo_host, "instructor@demo.test")
    data = instructor.post("/api/v1/uploads/", {"purpose": "file", "filename": "a.txt", "content_type": "text/plain",
                                                "size": 5}, format="json").json()
    # A client sending another length than the signed one (real S3 refuses it; moto does not check).
    _put(data["url"], b"0123456789", {"Content-Type": data["headers"]["Content-Type"]})
    before = _tenant_usage(demo)
    refused = instructor.post(f"/api/v1/uploads/{data['id']}/confirm/")
    assert refused.status_code == 413
    assert _tenant_usage(demo) == before
    with pytest.raises(storage.s3_client().exceptions.ClientError):
        storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=data["key"])


def test_confirming_before_the_put_says_the_file_has_not_arrived(demo_host) -> None:
    instructor = client_for(demo_host, "instructor@demo.test")
    data = instructor.post("/api/v1/uploads/", {"purpose": "file", "filename": "a.txt", "content_type": "text/plain",
                                                "size": 5}, format="json").json()
    response = instructor.post(f"/api/v1/uploads/{data['id']}/confirm/")
    assert response.status_code == 400 and response.json()["error"]["code"] == "upload_missing"


def test_an_object_stored_with_another_content_type_is_refused_at_confirmation(demo_host, in_demo) -> None:
    instructor = client_for(demo_host, "instructor@demo.test")
    data = instructor.post("/api/v1/uploads/", {"purpose": "file", "filename": "a.pdf",
                                                "content_type": "application/pdf", "size": 4}, format="json").json()
    try:  # real S3 refuses the PUT (the type is signed); the moto test server stores it
        _put(data["url"], b"<h1>", {"Content-Type": "text/html"})
    except urllib.error.HTTPError:
        return
    response = instructor.post(f"/api/v1/uploads/{data['id']}/confirm/")
    assert response.status_code == 400 and response.json()["error"]["code"] == "upload_refused"
    assert not MediaUpload.objects.filter(pk=data["id"]).exists()


def test_video_lesson_without_an_upload_is_refused(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"), quiz=False, publish=False)
    response = client_for(demo_host, "instructor@demo.test").post(
        f"/api/v1/modules/{course.modules.get().pk}/lessons/", {"title": "V", "kind": "video"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "upload_refused"
    assert not Lesson.objects.filter(module__course=course, kind="video").exists()
    assert unique()


def test_large_video_goes_up_in_parts_and_is_completed_at_confirmation(demo, demo_host, in_demo, settings) -> None:
    settings.COURSES_MULTIPART_THRESHOLD = 1024 * 1024
    settings.COURSES_MULTIPART_PART_SIZE = 5 * 1024 * 1024  # the S3 minimum for every part but the last
    body = b"m" * (5 * 1024 * 1024) + b"tail"
    instructor = client_for(demo_host, "instructor@demo.test")
    before = _tenant_usage(demo)
    data = instructor.post("/api/v1/uploads/", {"purpose": "video", "filename": "long.mp4", "content_type": "video/mp4",
                                                "size": len(body)}, format="json").json()
    assert (data["url"], data["part_size"], len(data["part_urls"])) == ("", 5 * 1024 * 1024, 2)
    for number, url in enumerate(data["part_urls"]):
        chunk = body[number * data["part_size"]:(number + 1) * data["part_size"]]
        assert _put(url, chunk, {"Content-Type": "application/octet-stream"}) == 200
    confirmed = instructor.post(f"/api/v1/uploads/{data['id']}/confirm/").json()
    assert confirmed["size"] == len(body)
    assert _tenant_usage(demo) == before + len(body)
    head = storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=data["key"])
    assert (head["ContentLength"], head["ContentType"]) == (len(body), "video/mp4")
    storage.object_delete(key=data["key"])


def test_administrators_are_emailed_when_usage_crosses_80_and_100_percent(
        demo, demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    from django.core import mail

    Tenant.objects.filter(pk=demo.pk).update(storage_used_bytes=0, storage_quota_bytes=100)
    instructor = client_for(demo_host, "instructor@demo.test")

    def upload(size: int) -> str | None:
        data = instructor.post("/api/v1/uploads/", {"purpose": "file", "filename": "a.txt",
                                                    "content_type": "text/plain", "size": size}, format="json").json()
        _put(data["url"], b"x" * size, data["headers"])
        with django_capture_on_commit_callbacks(execute=True):
            return instructor.post(f"/api/v1/uploads/{data['id']}/confirm/").json()["storage_warning"]

    assert upload(50) is None
    assert mail.outbox == []
    assert upload(35) == "80"
    assert [m.subject for m in mail.outbox] == ["80 % of the storage quota used"]
    assert "admin@demo.test" in mail.outbox[0].to
    assert upload(10) == "80"
    assert len(mail.outbox) == 1  # no second e-mail for the same level
    assert upload(5) == "100"
    assert [m.subject for m in mail.outbox][-1] == "Storage quota reached"
