"""The course player (issue 14 item 3): the outline with ticks and previous/next, captions (WebVTT, per
language) served from the app with a transcript, the playback position kept and resumed, completion at 90 %
watched, file previews; hostile input refused with a clear error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses import selectors, services
from courses.models import Caption, Lesson, LessonCompletion, VideoProgress
from mooc_platform import storage
from mooc_platform.accounts.models import User
from tests.courses.player.helpers import VTT_EN, stored_media, video_lesson
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.helpers import client_for, host_of

pytestmark = pytest.mark.django_db


def _client(tenant, user: User) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    client.force_login(user)
    return client


@pytest.fixture
def world(in_demo):  # type: ignore[no-untyped-def]
    instructor = UserFactory(role=User.Role.INSTRUCTOR)
    course = CourseFactory(author=instructor, quiz=False)
    video = video_lesson(course=course, author=instructor)
    learner = UserFactory(language="fr")
    enrollment = EnrollmentFactory(course=course, user=learner)
    return {"course": course, "video": video, "learner": learner, "instructor": instructor, "enrollment": enrollment,
            "reading": Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT)}


def test_ninety_percent_watched_completes_the_video_and_the_position_is_resumed(demo, world) -> None:
    api = client_for(host_of(demo), world["learner"].email)
    url = f"/api/v1/lessons/{world['video'].pk}/progress/"
    first = api.post(url, {"position": 12.5, "duration": 30, "segments": [[0, 12.5]]}, format="json").json()
    assert first["completed"] is False and first["position"] == 12.5 and first["watched"] == 12.5
    assert selectors.video_resume_position(enrollment=world["enrollment"], lesson=world["video"]) == 12.5
    # Watching a part again adds nothing; parts merge across page loads (sign out and in, another device).
    again = api.post(url, {"position": 10, "duration": 30, "segments": [[2, 10], [5, 12]]}, format="json").json()
    assert again["watched"] == 12.5
    later = api.post(url, {"position": 25, "duration": 30, "segments": [[15, 25]]}, format="json").json()
    assert later["watched"] == 22.5 and later["completed"] is False
    assert VideoProgress.objects.get(lesson=world["video"]).watched_segments == [[0, 12.5], [15, 25]]
    assert not LessonCompletion.objects.filter(lesson=world["video"]).exists()
    done = api.post(url, {"position": 30, "duration": 30, "segments": [[12, 15], [25, 29]]}, format="json").json()
    assert done["completed"] is True and done["watched"] == 29
    assert LessonCompletion.objects.filter(lesson=world["video"], enrollment=world["enrollment"]).exists()


@pytest.mark.parametrize("body", [{"position": "NaN", "duration": 30},
                                  {"position": -1, "duration": 30},
                                  {"position": 1, "duration": 30, "segments": [[0, 1e12]]},
                                  {"position": 1, "duration": 30, "segments": [[0, 1, 2]]},
                                  {"position": 1, "duration": 30, "segments": [[0, 1]] * 501},
                                  {"position": 1, "duration": 30, "segments": "0-1"},
                                  {"position": "x", "duration": 30},
                                  {"duration": 30}])
def test_hostile_progress_is_a_clear_400(demo, world, body) -> None:
    api = client_for(host_of(demo), world["learner"].email)
    response = api.post(f"/api/v1/lessons/{world['video'].pk}/progress/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"]
    assert not VideoProgress.objects.exists()


def test_progress_of_a_text_lesson_or_by_someone_not_enrolled_is_refused(demo, world) -> None:
    api = client_for(host_of(demo), world["learner"].email)
    text = api.post(f"/api/v1/lessons/{world['reading'].pk}/progress/", {"position": 1, "duration": 2},
                    format="json")
    assert text.status_code == 400
    stranger = UserFactory()
    refused = client_for(host_of(demo), stranger.email).post(
        f"/api/v1/lessons/{world['video'].pk}/progress/", {"position": 1, "duration": 30}, format="json")
    assert refused.status_code in (403, 404)


def test_lesson_page_shows_tracks_transcript_outline_and_resume(demo, world) -> None:
    course, video = world["course"], world["video"]
    services.video_progress_record(lesson=video, user=world["learner"], position=14, duration=30,
                                   segments=[[0, 14]])
    services.lesson_complete(lesson=world["reading"], user=world["learner"])
    page = _client(demo, world["learner"]).get(f"/courses/{course.slug}/lessons/{video.pk}/",
                                               HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'src="/courses/{course.slug}/lessons/{video.pk}/captions/en.vtt"' in page
    assert 'srclang="fr"' in page and 'data-resume="14.0"' in page
    assert "La lumière va en ligne droite." in page  # the transcript in the learner's language
    assert 'data-start="10.0"' in page and "<b>" not in page.split('data-testid="transcript"')[1]
    assert page.count('data-testid="outline-done"') == 1
    assert f'href="/courses/{course.slug}/lessons/{world["reading"].pk}/" rel="prev"' in page
    served = _client(demo, world["learner"]).get(f"/courses/{course.slug}/lessons/{video.pk}/captions/en.vtt")
    assert served["Content-Type"] == "text/vtt; charset=utf-8" and served.content.decode() == VTT_EN
    assert _client(demo, world["learner"]).get(
        f"/courses/{course.slug}/lessons/{video.pk}/captions/de.vtt").status_code == 404
    assert _client(demo, UserFactory()).get(
        f"/courses/{course.slug}/lessons/{video.pk}/captions/en.vtt").status_code == 404  # not enrolled


def test_instructor_adds_replaces_and_deletes_captions_and_bad_files_are_refused(demo, world) -> None:
    video, client = world["video"], _client(demo, world["instructor"])
    before = Caption.objects.get(lesson=video, language="en")
    replaced = client.post(f"/teach/lessons/{video.pk}/", {
        "action": "add_caption", "language": "en",
        "captions": SimpleUploadedFile("new.vtt", b"WEBVTT\n\n00:00.000 --> 00:05.000\nHello\n", "text/vtt")},
        follow=True).content.decode()
    assert "Captions added." in replaced
    after = Caption.objects.get(lesson=video, language="en")
    assert after.pk != before.pk and storage.object_get(key=after.upload.key).startswith(b"WEBVTT")
    refused = client.post(f"/teach/lessons/{video.pk}/", {
        "action": "add_caption", "language": "en",
        "captions": SimpleUploadedFile("x.vtt", b"<html>not captions</html>", "text/vtt")}, follow=True)
    assert "This is not a WebVTT captions file" in refused.content.decode()
    assert Caption.objects.get(lesson=video, language="en").pk == after.pk  # nothing lost
    bad_language = client.post(f"/teach/lessons/{video.pk}/", {
        "action": "add_caption", "language": "xx",
        "captions": SimpleUploadedFile("y.vtt", b"WEBVTT\n\n00:00.000 --> 00:05.000\nHi\n", "text/vtt")}, follow=True)
    assert "Choose the captions" in bad_language.content.decode()
    client.post(f"/teach/lessons/{video.pk}/", {"action": "delete_caption", "caption": str(after.pk)})
    assert not Caption.objects.filter(pk=after.pk).exists()


def test_lesson_page_queries_do_not_grow_with_the_lessons(demo, world) -> None:
    course, client = world["course"], _client(demo, world["learner"])
    url = f"/courses/{course.slug}/lessons/{world['reading'].pk}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    module = course.modules.first()
    for i in range(6):
        services.lesson_create(module=module, title=f"Extra {i}", kind=Lesson.Kind.TEXT, body_markdown="x")
    assert count() == few


def test_a_pdf_or_image_file_lesson_is_previewed(demo, world) -> None:
    course = world["course"]
    pdf = stored_media(purpose="file", filename="slides.pdf", content_type="application/pdf", body=b"%PDF-1.4\n%%EOF",
                       author=world["instructor"])
    lesson = services.lesson_create(module=course.modules.first(), title="Slides", kind=Lesson.Kind.FILE,
                                    media_upload_id=pdf.pk)
    page = _client(demo, world["learner"]).get(f"/courses/{course.slug}/lessons/{lesson.pk}/").content.decode()
    assert '<iframe class="file-preview"' in page and 'data-testid="lesson-file"' in page
