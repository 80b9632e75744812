"""Authoring (issue 14 item 5): the editor's preview, rename, reorder, the bin (confirmation, undo, purge after 30
days with the media), duplicating a course, "preview as learner" and images of the texts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from courses import selectors, services
from courses.models import Caption, Choice, Course, Enrollment, Lesson, MediaUpload, Module, Question
from courses.tasks import bin_purge_all
from mooc_platform import storage
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.helpers import host_of, unique


def _page_client(tenant: Tenant, user: User) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    client.force_login(user)
    return client


def _video(tenant: Tenant, author: User, size: int = 100, purpose: str = "video",
           course: Course | None = None) -> MediaUpload:
    """A confirmed upload on S3, counted in the quota."""
    ext = "mp4" if purpose == "video" else "png"
    key = f"{storage.tenant_prefix(schema_name=tenant.schema_name)}media/{purpose}/{unique()}/clip.{ext}"
    content_type = "video/mp4" if purpose == "video" else "image/png"
    storage.object_put(key=key, body=b"v" * size, content_type=content_type)
    upload = MediaUpload.objects.create(key=key, purpose=purpose, filename=f"clip.{ext}", content_type=content_type,
                                        declared_size=size, size=size, confirmed_at=timezone.now(),
                                        created_by=author, course=course)
    storage.storage_usage_add(delta_bytes=size)
    return upload


def _exists(key: str) -> bool:
    try:
        storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=key)
    except Exception:
        return False
    return True


def _usage(tenant: Tenant) -> int:
    return Tenant.objects.get(pk=tenant.pk).storage_used_bytes


# --- The editor's preview -------------------------------------------------------------------------------------


def test_the_preview_renders_markdown_as_the_lesson_will_show_it_sanitised(demo, in_demo) -> None:
    instructor = UserFactory(role="instructor")
    client = _page_client(demo, instructor)
    response = client.post("/api/v1/lessons/preview/", {"markdown": "**Gras** <script>alert(1)</script> "
                                                                    "[x](javascript:alert(1))"},
                           content_type="application/json")
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>Gras</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    assert html == services.markdown_render("**Gras** <script>alert(1)</script> [x](javascript:alert(1))")


def test_learners_get_no_preview(demo, in_demo) -> None:
    learner = UserFactory()
    response = _page_client(demo, learner).post("/api/v1/lessons/preview/", {"markdown": "x"},
                                               content_type="application/json")
    assert response.status_code == 403


# --- Rename and reorder ---------------------------------------------------------------------------------------


def test_an_instructor_renames_a_module_on_the_page_and_through_the_api(demo, in_demo) -> None:
    course = CourseFactory()
    module = course.modules.get()
    client = _page_client(demo, course.created_by)
    client.post(f"/teach/courses/{course.pk}/",
                {"action": "rename_module", "module": module.pk, "title": " Semaine 1 "})
    assert Module.objects.get(pk=module.pk).title == "Semaine 1"
    response = client.patch(f"/api/v1/modules/{module.pk}/", {"title": "Week one"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["title"] == "Week one"
    assert client.patch(f"/api/v1/modules/{module.pk}/", {"title": ""},
                        content_type="application/json").status_code == 400


def test_drag_and_drop_orders_are_saved_and_must_name_every_sibling_once(demo, in_demo) -> None:
    course = CourseFactory()
    first = course.modules.get()
    second = services.module_create(course=course, title="Week 2")
    client = _page_client(demo, course.created_by)
    assert client.post(f"/api/v1/courses/{course.pk}/module-order/", {"module_ids": [second.pk, first.pk]},
                       content_type="application/json").status_code == 204
    assert [m.title for m in selectors.course_outline(course=course)] == ["Week 2", "Week 1"]
    lessons = list(first.lessons.order_by("position", "id"))
    reordered = client.post(f"/api/v1/modules/{first.pk}/lesson-order/",
                            {"lesson_ids": [lessons[1].pk, lessons[0].pk]}, content_type="application/json")
    assert reordered.status_code == 204
    assert [lesson.pk for lesson in first.lessons.order_by("position", "id")] == [lessons[1].pk, lessons[0].pk]
    for wrong in ([first.pk], [first.pk, first.pk], [first.pk, second.pk, 10**12]):
        response = client.post(f"/api/v1/courses/{course.pk}/module-order/", {"module_ids": wrong},
                               content_type="application/json")
        assert response.status_code == 400, wrong
    learner = UserFactory()
    assert _page_client(demo, learner).post(f"/api/v1/courses/{course.pk}/module-order/",
                                            {"module_ids": [first.pk, second.pk]},
                                            content_type="application/json").status_code == 403


# --- The bin: confirmation, undo, purge ----------------------------------------------------------------------


def test_deleting_a_lesson_asks_first_then_offers_to_undo(demo, in_demo) -> None:
    course = CourseFactory()
    lesson = course.modules.get().lessons.get(kind="text")
    client = _page_client(demo, course.created_by)
    page = client.get(f"/teach/lessons/{lesson.pk}/delete/").content.decode()
    assert 'class="danger" data-testid="delete-confirm"' in page and "30 days" in page
    assert Lesson.objects.filter(pk=lesson.pk).exists()  # asking deletes nothing
    response = client.post(f"/teach/lessons/{lesson.pk}/delete/")
    assert response.status_code == 302 and response["Location"].endswith(f"?deleted=lesson-{lesson.pk}")
    assert not Lesson.objects.filter(pk=lesson.pk).exists() and Lesson.all_objects.filter(pk=lesson.pk).exists()
    builder = client.get(response["Location"]).content.decode()
    assert 'data-testid="undo"' in builder and "Reading" in builder
    client.post(f"/teach/courses/{course.pk}/", {"action": "restore_lesson", "lesson": lesson.pk})
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_a_module_in_the_bin_is_hidden_from_learners_and_instructors_everywhere(demo, in_demo) -> None:
    course = CourseFactory()
    module = course.modules.get()
    kept = services.module_create(course=course, title="Kept")
    services.lesson_create(module=kept, title="Kept lesson", kind="text", body_markdown="x")
    enrollment = EnrollmentFactory(course=course)
    reading = module.lessons.get(kind="text")
    services.lesson_complete(lesson=reading, user=enrollment.user)
    client = _page_client(demo, course.created_by)
    assert client.post(f"/teach/modules/{module.pk}/delete/").status_code == 302

    assert [m.pk for m in selectors.course_outline(course=course)] == [kept.pk]
    assert [lesson.title for lesson in selectors.course_lessons(course=course)] == ["Kept lesson"]
    learner = _page_client(demo, enrollment.user)
    assert "Reading" not in learner.get(f"/courses/{course.slug}/").content.decode()
    assert learner.get(f"/courses/{course.slug}/lessons/{reading.pk}/").status_code == 404
    detail = learner.get(f"/api/v1/courses/{course.pk}/").json()
    assert [m["title"] for m in detail["modules"]] == ["Kept"]
    mine = selectors.enrollments_of(user=enrollment.user).get(pk=enrollment.pk)
    assert (mine.lessons_total, mine.lessons_done) == (1, 0)  # the completed lesson is in the bin
    # A lesson of a module in the bin waits for its module.
    response = client.post(f"/api/v1/lessons/{reading.pk}/restore/")
    assert response.status_code == 404  # not itself in the bin
    services.lesson_delete(lesson=Lesson.all_objects.get(pk=reading.pk))
    assert client.post(f"/api/v1/lessons/{reading.pk}/restore/").status_code == 400
    assert client.post(f"/api/v1/modules/{module.pk}/restore/").status_code == 200
    assert client.post(f"/api/v1/lessons/{reading.pk}/restore/").status_code == 200
    mine = selectors.enrollments_of(user=enrollment.user).get(pk=enrollment.pk)
    assert (mine.lessons_total, mine.lessons_done) == (3, 1)


def test_the_bin_is_purged_after_30_days_with_the_media_and_not_before(demo, in_demo) -> None:
    author = UserFactory(role="instructor")
    course = CourseFactory(author=author, quiz=False)
    module = course.modules.get()
    video = _video(demo, author)
    lesson = services.lesson_create(module=module, title="Clip", kind="video", media_upload_id=video.pk)
    caption = services.caption_upload(lesson=lesson, language="fr", actor=author,
                                      content=b"WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n")
    other = services.module_create(course=course, title="Gone")
    other_video = _video(demo, author, size=50)
    services.lesson_create(module=other, title="Other clip", kind="video", media_upload_id=other_video.pk)
    deleted_at = timezone.now()
    with time_machine.travel(deleted_at, tick=False):
        services.lesson_delete(lesson=lesson)
        services.module_delete(module=other)
    used = _usage(demo)
    with time_machine.travel(deleted_at + timedelta(days=29, hours=23), tick=False):
        assert services.bin_purge() == 0
    assert _exists(video.key) and Lesson.all_objects.filter(pk=lesson.pk).exists()
    with time_machine.travel(deleted_at + timedelta(days=30, minutes=1), tick=False):
        assert bin_purge_all() >= 3  # the lesson, the module and its lesson (in every tenant)
    connection.set_tenant(demo)  # the task leaves the public schema current
    assert not Lesson.all_objects.filter(pk=lesson.pk).exists()
    assert not Module.all_objects.filter(pk=other.pk).exists()
    assert not MediaUpload.objects.filter(pk__in=[video.pk, other_video.pk, caption.upload_id]).exists()
    assert not Caption.objects.filter(pk=caption.pk).exists()
    assert not _exists(video.key) and not _exists(other_video.key)
    assert _usage(demo) == used - 150 - caption.upload.size
    assert Module.objects.filter(pk=module.pk).exists()  # what was not in the bin stays
    assert settings.CELERY_BEAT_SCHEDULE["courses-bin-purge-daily"]["task"] == "courses.bin_purge_all"


# --- Duplicate ------------------------------------------------------------------------------------------------


def test_duplicating_a_course_copies_its_content_and_media_as_a_draft(demo, in_demo) -> None:
    author = UserFactory(role="instructor")
    course = CourseFactory(author=author, starts_on="2030-01-01", ends_on="2030-02-01")
    module = course.modules.get()
    video = _video(demo, author, size=70)
    clip = services.lesson_create(module=module, title="Clip", kind="video", media_upload_id=video.pk)
    image = _video(demo, author, size=30, purpose="image", course=course)
    reading = module.lessons.get(kind="text")
    services.lesson_update(lesson=reading, body_markdown=f"![Schéma](/courses/{course.slug}/images/{image.pk}/)")
    binned = services.lesson_create(module=module, title="Binned", kind="text")
    services.lesson_delete(lesson=binned)
    EnrollmentFactory(course=course)
    used = _usage(demo)
    client = _page_client(demo, author)
    form = client.get(f"/teach/courses/{course.pk}/duplicate/").content.decode()
    assert f"{course.slug}-copy" in form
    response = client.post(f"/teach/courses/{course.pk}/duplicate/", {"title": "Copie", "slug": unique("copie")})
    assert response.status_code == 302
    copy = Course.objects.get(title="Copie")
    assert response["Location"] == f"/teach/courses/{copy.pk}/"
    assert copy.status == Course.Status.DRAFT and copy.created_by == author
    assert (copy.starts_on, copy.ends_on, copy.pass_mark) == (course.starts_on, course.ends_on, course.pass_mark)
    assert not Enrollment.objects.filter(course=copy).exists()
    lessons = selectors.course_lessons(course=copy)
    assert [lesson.title for lesson in lessons] == ["Reading", "Quiz", "Clip"]
    quiz = next(lesson for lesson in lessons if lesson.kind == "quiz")
    assert Question.objects.filter(lesson=quiz).count() == 2
    assert Choice.objects.filter(question__lesson=quiz).count() == 5
    copied_clip = next(lesson for lesson in lessons if lesson.kind == "video")
    assert copied_clip.media_id not in (None, clip.media_id) and copied_clip.media.key != video.key
    assert storage.object_get(key=copied_clip.media.key) == b"v" * 70
    copied_image = MediaUpload.objects.get(course=copy, purpose="image")
    assert storage.object_get(key=copied_image.key) == b"v" * 30
    copied_reading = next(lesson for lesson in lessons if lesson.title == "Reading")
    assert f"/courses/{copy.slug}/images/{copied_image.pk}/" in copied_reading.body_markdown
    assert f'src="/courses/{copy.slug}/images/{copied_image.pk}/"' in copied_reading.body_html
    assert _usage(demo) == used + 100
    # The original is untouched; a slug already taken is refused.
    assert selectors.course_lessons(course=course)[-1].media_id == video.pk
    taken = client.post(f"/api/v1/courses/{course.pk}/duplicate/", {"title": "Again", "slug": copy.slug},
                        content_type="application/json")
    assert taken.status_code == 400 and "slug" in taken.json()["error"]["details"]
    api = client.post(f"/api/v1/courses/{course.pk}/duplicate/", {"title": "Again", "slug": unique("again")},
                      content_type="application/json")
    assert api.status_code == 201 and api.json()["status"] == "draft"


def test_duplicating_past_the_storage_quota_is_refused_and_leaves_nothing(demo, in_demo) -> None:
    author = UserFactory(role="instructor")
    course = CourseFactory(author=author, quiz=False)
    video = _video(demo, author, size=100)
    services.lesson_create(module=course.modules.get(), title="Clip", kind="video", media_upload_id=video.pk)
    tenant = Tenant.objects.get(pk=demo.pk)
    quota = tenant.storage_quota_bytes
    Tenant.objects.filter(pk=demo.pk).update(storage_quota_bytes=tenant.storage_used_bytes + 50)
    try:
        objects_before = storage.s3_client().list_objects_v2(
            Bucket=storage.bucket_name(), Prefix=video.key.rsplit("/", 2)[0]).get("KeyCount")
        with pytest.raises(Exception) as raised:
            services.course_duplicate(course=course, actor=author, title="Copy", slug=unique("copy"))
        assert getattr(raised.value, "code", "") == "storage_quota_exceeded"
        assert not Course.objects.filter(title="Copy").exists()
        assert storage.s3_client().list_objects_v2(
            Bucket=storage.bucket_name(), Prefix=video.key.rsplit("/", 2)[0]).get("KeyCount") == objects_before
    finally:
        Tenant.objects.filter(pk=demo.pk).update(storage_quota_bytes=quota)


# --- Preview as learner and images of the texts ----------------------------------------------------------------


def test_preview_as_learner_shows_the_course_and_its_quiz_without_enrolling(demo, in_demo) -> None:
    course = CourseFactory(publish=False)
    quiz = course.modules.get().lessons.get(kind="quiz")
    instructor = UserFactory(role="instructor")
    client = _page_client(demo, instructor)
    page = client.get(f"/teach/preview/{course.slug}/").content.decode()
    assert 'data-testid="preview-banner"' in page and f"/teach/preview/{course.slug}/lessons/{quiz.pk}/" in page
    assert "Enrol" not in page
    lesson_page = client.get(f"/teach/preview/{course.slug}/lessons/{quiz.pk}/").content.decode()
    assert "2 + 2?" in lesson_page and "right 4" in lesson_page and 'data-testid="quiz-preview"' in lesson_page
    assert "Start the quiz" not in lesson_page
    assert not Enrollment.objects.filter(course=course, user=instructor).exists()
    learner = _page_client(demo, UserFactory())
    assert learner.get(f"/teach/preview/{course.slug}/").status_code in (302, 403, 404)


def test_an_image_of_the_texts_is_shown_to_the_course_readers_only(demo, in_demo) -> None:
    author = UserFactory(role="instructor")
    course = CourseFactory(author=author)
    other = CourseFactory(author=author)
    image = _video(demo, author, size=10, purpose="image", course=course)
    enrolled = EnrollmentFactory(course=course).user
    response = _page_client(demo, enrolled).get(f"/courses/{course.slug}/images/{image.pk}/")
    assert response.status_code == 302 and image.key in response["Location"]
    assert _page_client(demo, UserFactory()).get(f"/courses/{course.slug}/images/{image.pk}/").status_code == 404
    assert _page_client(demo, author).get(f"/courses/{other.slug}/images/{image.pk}/").status_code == 404


def test_an_image_upload_belongs_to_a_course(demo, in_demo) -> None:
    author = UserFactory(role="instructor")
    course = CourseFactory(author=author)
    client = _page_client(demo, author)
    body = {"purpose": "image", "filename": "a.png", "content_type": "image/png", "size": 10}
    assert client.post("/api/v1/uploads/", body, content_type="application/json").status_code == 400
    signed = client.post("/api/v1/uploads/", {**body, "course": course.pk}, content_type="application/json")
    assert signed.status_code == 201
    assert MediaUpload.objects.get(pk=signed.json()["id"]).course_id == course.pk
    assert client.post("/api/v1/uploads/", {**body, "purpose": "file", "content_type": "application/pdf",
                                            "course": course.pk}, content_type="application/json").status_code == 400


def test_the_course_builder_and_its_bin_answer_in_constant_queries(demo, in_demo) -> None:
    """The builder lists the outline and the bin: its queries do not grow with the modules and lessons binned."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    course = CourseFactory()
    client = _page_client(demo, course.created_by)

    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert client.get(f"/teach/courses/{course.pk}/").status_code == 200
        return len(captured)

    def add(n: int) -> None:
        for _ in range(n):
            module = services.module_create(course=course, title="M")
            services.lesson_delete(lesson=services.lesson_create(module=module, title="L", kind="text"))
            services.module_delete(module=services.module_create(course=course, title="Gone"))

    add(2)
    with_two = queries()
    add(10)
    assert queries() == with_two
