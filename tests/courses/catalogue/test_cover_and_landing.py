"""Course covers (uploaded to S3 through the media path, resized server-side with Pillow), the public landing
page of a published MOOC (never a SPOC's), and the catalogue's lists in a constant number of queries."""

from __future__ import annotations

import io
import urllib.request

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from courses import services
from courses.errors import UploadRefusedError
from courses.models import Course, MediaUpload
from mooc_platform import storage
from tenants.models import Tenant
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for, unique


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 255)).save(out, format="PNG")
    return out.getvalue()


def _upload(client, body: bytes, *, content_type: str = "image/png", filename: str = "cover.png") -> int:
    signed = client.post("/api/v1/uploads/", {"purpose": "cover", "filename": filename,
                                              "content_type": content_type, "size": len(body)}, format="json")
    assert signed.status_code == 201, signed.content
    data = signed.json()
    request = urllib.request.Request(data["url"], data=body, method="PUT", headers=data["headers"])
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    assert client.post(f"/api/v1/uploads/{data['id']}/confirm/").status_code == 200
    return data["id"]


def _usage(tenant: Tenant) -> int:
    return Tenant.objects.get(pk=tenant.pk).storage_used_bytes


def test_a_cover_is_resized_to_1200_by_675_jpeg_and_counted_at_its_new_size(
        demo, demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    Tenant.objects.filter(pk=demo.pk).update(storage_quota_bytes=F("storage_used_bytes") + 50 * 1024 * 1024)
    instructor = client_for(demo_host, "instructor@demo.test")
    course = CourseFactory(author=UserFactory(role="instructor"), quiz=False)
    original = _png(2400, 1000)
    before = _usage(demo)
    upload_id = _upload(instructor, original)
    original_key = MediaUpload.objects.get(pk=upload_id).key
    with django_capture_on_commit_callbacks(execute=True):
        response = instructor.patch(f"/api/v1/courses/{course.pk}/", {"cover_upload_id": upload_id}, format="json")
    assert response.status_code == 200, response.content

    course.refresh_from_db()
    cover = course.cover
    assert (cover.content_type, cover.key.endswith("/cover.jpg")) == ("image/jpeg", True)
    stored = storage.object_get(key=cover.key)
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 675))
    assert cover.size == len(stored)
    assert _usage(demo) == before + len(stored)
    listed = storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix=original_key)
    assert listed.get("KeyCount", 0) == 0  # the original went once the resized one was in place

    learner = client_for(demo_host, "learner1@demo.test")
    rows = learner.get("/api/v1/courses/", {"q": course.title}).json()["results"]
    url = next(r["cover_url"] for r in rows if r["id"] == course.pk)
    with urllib.request.urlopen(url) as got:
        assert got.read() == stored

    # Removing the cover gives its bytes back.
    assert instructor.patch(f"/api/v1/courses/{course.pk}/", {"cover_upload_id": None},
                            format="json").status_code == 200
    assert _usage(demo) == before
    assert not MediaUpload.objects.filter(pk=upload_id).exists()


def test_a_file_that_is_no_image_is_refused_and_its_bytes_given_back(demo, demo_host, in_demo) -> None:
    Tenant.objects.filter(pk=demo.pk).update(storage_quota_bytes=F("storage_used_bytes") + 50 * 1024 * 1024)
    instructor = client_for(demo_host, "instructor@demo.test")
    course = CourseFactory(author=UserFactory(role="instructor"), quiz=False)
    before = _usage(demo)
    upload_id = _upload(instructor, b"<?php echo 'not an image'; ?>" * 10)
    response = instructor.patch(f"/api/v1/courses/{course.pk}/", {"cover_upload_id": upload_id}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "upload_refused")
    assert not MediaUpload.objects.filter(pk=upload_id).exists()
    assert _usage(demo) == before
    course.refresh_from_db()
    assert course.cover_id is None


def test_cover_resize_refuses_a_decompression_bomb_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, format="PNG")  # 50 megapixels in a few kilobytes
    with pytest.raises(UploadRefusedError) as exc:
        services.cover_resize(data=out.getvalue())
    assert "40 megapixels" in exc.value.message


def test_anonymous_visitors_see_a_published_mooc_landing_page(demo_host, in_demo) -> None:
    instructor = UserFactory(role="instructor")
    category = services.category_create(actor=instructor, name=unique("Langues"))
    course = CourseFactory(author=instructor, title="Cours d'été", summary="Pour débuter.")
    services.course_update(course=course, actor=instructor, category=category.pk, duration_minutes=90)
    anonymous = Client(HTTP_HOST=demo_host)
    response = anonymous.get(f"/courses/{course.slug}/about/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cours d&#x27;été" in page and "Pour débuter." in page and category.name in page
    assert "1 h 30 min" in page
    assert "Reading" in page  # the outline's lesson titles
    assert "<strong>bold</strong>" not in page  # never a lesson's content
    assert f'/login/?next=/courses/{course.slug}/' in page


def test_a_spoc_or_a_draft_has_no_public_page(demo_host, in_demo) -> None:
    instructor = UserFactory(role="instructor")
    spoc = CourseFactory(author=instructor, visibility=Course.Visibility.SPOC)
    draft = CourseFactory(author=instructor, publish=False)
    anonymous = Client(HTTP_HOST=demo_host)
    for course in (spoc, draft):
        assert anonymous.get(f"/courses/{course.slug}/about/").status_code == 404
    member = Client(HTTP_HOST=demo_host)
    member.force_login(UserFactory())
    assert member.get(f"/courses/{spoc.slug}/about/").status_code == 404  # not even for a member
    for hostile in ["%00", "a" * 300, "..%2F..", "' OR 1=1"]:
        assert anonymous.get(f"/courses/{hostile}/about/").status_code in (400, 404)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("url", ["/courses/", "/courses/?q=course", "/api/v1/courses/",
                                 "/api/v1/courses/?q=course&language=fr"])
def test_catalogue_lists_are_constant_in_queries(demo, demo_host, in_demo, url: str) -> None:
    Tenant.objects.filter(pk=demo.pk).update(storage_quota_bytes=F("storage_used_bytes") + 50 * 1024 * 1024)
    instructor = UserFactory(role="instructor")
    category = services.category_create(actor=instructor, name=unique("cat"))
    learner = UserFactory()
    client = client_for(demo_host, learner.email)
    if not url.startswith("/api/"):
        client = Client(HTTP_HOST=demo_host)
        client.force_login(learner)

    def add(n: int) -> None:
        for _ in range(n):
            course = CourseFactory(author=instructor, quiz=False, language="fr")
            cover = MediaUpload.objects.create(key=f"t/{unique()}/cover.jpg", purpose="cover", filename="c.jpg",
                                               content_type="image/jpeg", declared_size=1, size=1)
            Course.objects.filter(pk=course.pk).update(category=category, cover=cover, duration_minutes=30)

    add(2)
    with_two = _count(client, url)
    add(18)
    assert _count(client, url) == with_two


def test_deleting_a_course_deletes_its_cover_and_gives_its_bytes_back(
        demo, demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    Tenant.objects.filter(pk=demo.pk).update(storage_quota_bytes=F("storage_used_bytes") + 50 * 1024 * 1024)
    instructor = client_for(demo_host, "instructor@demo.test")
    author = UserFactory(role="instructor")
    course = CourseFactory(author=author, quiz=False)
    before = _usage(demo)
    upload_id = _upload(instructor, _png(800, 450))
    with django_capture_on_commit_callbacks(execute=True):
        services.course_cover_set(course=course, actor=author, upload_id=upload_id)
    key = MediaUpload.objects.get(pk=upload_id).key
    assert _usage(demo) > before
    with django_capture_on_commit_callbacks(execute=True):
        services.course_delete(course=course, actor=author)
    assert _usage(demo) == before
    assert not MediaUpload.objects.filter(pk=upload_id).exists()
    assert storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix=key).get("KeyCount", 0) == 0
