"""Deleting a course is one transaction (issue 9 item 13): its lessons, media rows and the quota go together or
not at all; the S3 objects go once it commits (SPEC R20)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from courses import services
from courses.models import Course, Lesson, MediaUpload
from mooc_platform import storage
from tenants.models import Tenant
from tests.courses.conftest import course_make, unique, user_make


def _course_with_two_videos(tenant: Tenant) -> tuple[Course, list[MediaUpload]]:
    author = user_make(role="instructor")
    course = course_make(author=author, quiz=False, publish=False)
    module = course.modules.get()
    media = []
    for name in ("a", "b"):
        key = f"{storage.tenant_prefix(schema_name=tenant.schema_name)}media/video/{unique()}/{name}.mp4"
        storage.object_put(key=key, body=b"v" * 100, content_type="video/mp4")
        upload = MediaUpload.objects.create(key=key, purpose="video", filename=f"{name}.mp4",
                                            content_type="video/mp4", declared_size=100, size=100,
                                            confirmed_at=timezone.now(), created_by=author)
        storage.storage_usage_add(delta_bytes=100)
        services.lesson_create(module=module, title=name, kind=Lesson.Kind.VIDEO, media_upload_id=upload.pk)
        media.append(upload)
    return course, media


def _usage(tenant: Tenant) -> int:
    return Tenant.objects.get(pk=tenant.pk).storage_used_bytes


def _exists(key: str) -> bool:
    try:
        storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=key)
    except Exception:
        return False
    return True


def test_a_failure_while_deleting_a_course_leaves_the_whole_course(demo, in_demo, monkeypatch) -> None:
    course, media = _course_with_two_videos(demo)
    used = _usage(demo)

    def refuse(self, *args, **kwargs):
        raise RuntimeError("the database refused")

    monkeypatch.setattr(Course, "delete", refuse)
    with pytest.raises(RuntimeError):
        services.course_delete(course=course, actor=None)
    assert Lesson.objects.filter(module__course=course).count() == 3  # the text lesson and the two videos
    assert MediaUpload.objects.filter(pk__in=[m.pk for m in media]).count() == 2
    assert _usage(demo) == used
    assert [_exists(m.key) for m in media] == [True, True]


def test_deleting_a_course_frees_its_media_and_quota_together(demo, in_demo,
                                                              django_capture_on_commit_callbacks) -> None:
    course, media = _course_with_two_videos(demo)
    used = _usage(demo)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.course_delete(course=course, actor=None)
    assert not Course.objects.filter(pk=course.pk).exists()
    assert not MediaUpload.objects.filter(pk__in=[m.pk for m in media]).exists()
    assert _usage(demo) == used - 200
    assert [_exists(m.key) for m in media] == [True, True]  # S3 only after the commit
    for callback in callbacks:
        callback()
    assert [_exists(m.key) for m in media] == [False, False]
