"""SCORM packages (issue 14 item 6), below the browser: the unpacking of hostile zips is refused with a clear,
translated reason and leaves nothing behind; a good package is unpacked under the tenant's prefix and counted in
the storage quota; commits store the attempt's `cmi` data and complete the lesson; the files and the commit URL are
for the enrolled learner (and the course staff) only. The browser test is test_scorm_browser.py."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from courses import services
from courses.models import Lesson, LessonCompletion, MediaUpload, ScormAttempt, ScormPackage
from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError
from tenants.models import Tenant
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.helpers import client_for, host_of, unique

from .helpers import scorm_zip

ROOT = Path(__file__).resolve().parents[3]


def _usage(tenant: Tenant) -> int:
    return Tenant.objects.get(pk=tenant.pk).storage_used_bytes


def _zip_upload(data: bytes, *, actor: User) -> MediaUpload:
    """The zip as the browser leaves it: stored under the tenant's prefix, confirmed and counted."""
    key = f"{storage.tenant_prefix(schema_name=connection.schema_name)}media/scorm/{unique()}/package.zip"
    storage.object_put(key=key, body=data, content_type="application/zip")
    upload = MediaUpload.objects.create(key=key, purpose=MediaUpload.Purpose.SCORM, filename="package.zip",
                                        content_type="application/zip", declared_size=len(data), size=len(data),
                                        confirmed_at="2026-12-02T10:00:00Z", created_by=actor)
    storage.storage_usage_add(delta_bytes=len(data))
    return upload


def _scorm_lesson(course, title: str = "Package") -> Lesson:  # type: ignore[no-untyped-def]
    return services.lesson_create(module=course.modules.first(), title=title, kind=Lesson.Kind.SCORM)


def _import(lesson: Lesson, data: bytes, actor: User) -> ScormPackage:
    upload = _zip_upload(data, actor=actor)
    package = services.scorm_package_import(lesson=lesson, upload_id=upload.pk, actor=actor)
    services.scorm_package_unpack(package_id=package.pk)
    package.refresh_from_db()
    return package


def _keys(prefix: str) -> list[str]:
    client = storage.s3_client()
    return [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=storage.bucket_name(), Prefix=prefix) for o in page.get("Contents", [])]


@pytest.fixture
def course_and_staff(in_demo):  # type: ignore[no-untyped-def]
    instructor = UserFactory(role=User.Role.INSTRUCTOR)
    course = CourseFactory(author=instructor, quiz=False)
    return course, instructor


def test_a_scorm_12_package_is_unpacked_under_the_tenant_prefix_and_counted(demo, course_and_staff) -> None:
    course, instructor = course_and_staff
    lesson = _scorm_lesson(course)
    before = _usage(demo)
    data = scorm_zip(version="1.2", title="Premiers pas")
    package = _import(lesson, data, instructor)
    assert package.status == "ready" and package.progress == 100
    assert (package.version, package.title, package.launch_path) == ("1.2", "Premiers pas", "index.html")
    folder = package.content.key
    assert folder.startswith(f"tenants/{demo.schema_name}/scorm/") and folder.endswith("/")
    assert sorted(k[len(folder):] for k in _keys(folder)) == ["imsmanifest.xml", "index.html", "style.css"]
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert package.size == unpacked and package.file_count == 3
    assert _usage(demo) == before + unpacked  # the zip itself was deleted and given back
    assert not MediaUpload.objects.filter(purpose="scorm", key__endswith=".zip").exists()
    lesson.refresh_from_db()
    assert lesson.media_id == package.content_id

    # A new package replaces it: the old files go, only the new ones are counted.
    again = _import(lesson, scorm_zip(version="2004", href="sco/start.html"), instructor)
    assert again.version == "2004" and again.launch_path == "sco/start.html"
    assert _keys(folder) == []
    assert list(ScormPackage.objects.filter(lesson=lesson)) == [again]
    assert _usage(demo) == before + again.size

    # Deleting the lesson puts it in the bin (issue 14 item 5); its purge deletes the files and gives their bytes back.
    lesson.refresh_from_db()
    content_key = lesson.media.key
    services.lesson_delete(lesson=lesson)
    with time_machine.travel(timezone.now() + timedelta(days=services.BIN_DAYS, minutes=1), tick=False):
        services.bin_purge()
    assert _keys(content_key) == []
    assert _usage(demo) == before


def test_the_2004_manifest_gives_the_version_the_base_folders_and_the_item_parameters(course_and_staff) -> None:
    manifest = """<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <organizations default="second">
    <organization identifier="first"><title>Not this one</title><item identifier="a" identifierref="r0"/></organization>
    <organization identifier="second"><title>Cours 2004</title>
      <item identifier="top"><title>Chapter</title>
        <item identifier="i1" identifierref="r1" parameters="?mode=start"><title>One</title></item></item>
    </organization></organizations>
  <resources xml:base="content/">
    <resource identifier="r0" type="webcontent" adlcp:scormType="sco" href="other.html"/>
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco" xml:base="unit1/" href="go.html?lang=fr"/>
  </resources></manifest>"""
    course, instructor = course_and_staff
    package = _import(_scorm_lesson(course), scorm_zip(version="2004", manifest=manifest, href="content/unit1/go.html"),
                      instructor)
    assert package.status == "ready", package.error
    assert (package.version, package.title, package.launch_path, package.launch_query) == (
        "2004", "Cours 2004", "content/unit1/go.html", "lang=fr&mode=start")


def _entry(name: str, data: bytes = b"x", *, mode: int | None = None) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    if mode is not None:
        info.external_attr = mode << 16
    return info, data


def _raw_zip(*entries: tuple[zipfile.ZipInfo, bytes], manifest: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if manifest:
            archive.writestr("imsmanifest.xml", scorm_zip_manifest())
            archive.writestr("index.html", "<p>SCO</p>")
        for info, data in entries:
            archive.writestr(info, data)
    return out.getvalue()


def scorm_zip_manifest() -> bytes:
    return zipfile.ZipFile(io.BytesIO(scorm_zip())).read("imsmanifest.xml")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<manifest><metadata><schemaversion>&lol2;</schemaversion></metadata></manifest>"""


@pytest.mark.parametrize(("name", "data", "code"), [
    ("not a zip", b"PK\x03\x04 this is no archive", "not_zip"),
    ("going up", _raw_zip(_entry("../evil.html")), "unsafe_path"),
    ("going up inside", _raw_zip(_entry("a/../../evil.html")), "unsafe_path"),
    ("absolute", _raw_zip(_entry("/etc/cron.d/evil")), "unsafe_path"),
    ("drive", _raw_zip(_entry("C:/evil.html")), "unsafe_path"),
    ("backslash", _raw_zip(_entry("..\\evil.html")), "unsafe_path"),
    ("symbolic link", _raw_zip(_entry("link", b"/etc/passwd", mode=0o120777)), "link"),
    ("no manifest", _raw_zip(_entry("index.html"), manifest=False), "no_manifest"),
    ("entity expansion", _raw_zip(_entry("imsmanifest.xml", BILLION_LAUGHS), manifest=False), "bad_manifest"),
    ("not xml", _raw_zip(_entry("imsmanifest.xml", b"<manifest"), manifest=False), "bad_manifest"),
    ("no version", _raw_zip(_entry("imsmanifest.xml", b"<manifest><resources/></manifest>"), manifest=False),
     "unknown_version"),
    ("no launch", scorm_zip(manifest=scorm_zip_manifest().decode().replace('href="index.html"', "")),
     "no_launch"),
    ("launch missing", scorm_zip(launch=False), "launch_missing"),
    ("launch outside", scorm_zip(manifest=scorm_zip_manifest().decode().replace("index.html", "../x.html")),
     "unsafe_path"),
])
def test_hostile_or_broken_zips_are_refused_with_a_reason_and_leave_nothing(demo, course_and_staff, name, data,
                                                                           code) -> None:
    course, instructor = course_and_staff
    lesson = _scorm_lesson(course)
    before, stored = _usage(demo), _keys(f"tenants/{demo.schema_name}/")
    package = _import(lesson, data, instructor)
    assert (package.status, package.error) == ("failed", code), name
    assert services.scorm_error_message(package=package)
    assert package.content is None and package.upload is None
    assert _usage(demo) == before  # the zip was deleted and given back, nothing was counted
    assert _keys(f"tenants/{demo.schema_name}/") == [k for k in stored if not k.endswith("/package.zip")]
    lesson.refresh_from_db()
    assert lesson.media is None


def test_zip_bombs_and_crowds_are_refused_before_anything_is_stored(demo, course_and_staff, settings) -> None:
    course, instructor = course_and_staff
    settings.COURSES_SCORM_MAX_UNPACKED_BYTES = 1024 * 1024
    bomb = scorm_zip(extra={"video.bin": b"\0" * (2 * 1024 * 1024)})  # 2 MB of zeros weigh 2 KB zipped
    assert len(bomb) < 20_000
    package = _import(_scorm_lesson(course), bomb, instructor)
    assert (package.status, package.error, package.error_params) == ("failed", "too_large", {"limit": 1})
    with translation.override("fr"):
        assert services.scorm_error_message(package=package) == \
            "Une fois décompressée, l'archive occuperait plus de 1 Mo."
    settings.COURSES_SCORM_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
    settings.COURSES_SCORM_MAX_FILES = 5
    crowd = scorm_zip(extra={f"img/{n}.png": b"x" for n in range(10)})
    stored = _keys(f"tenants/{demo.schema_name}/scorm/")
    package = _import(_scorm_lesson(course), crowd, instructor)
    assert (package.status, package.error) == ("failed", "too_many_files")
    assert _keys(f"tenants/{demo.schema_name}/scorm/") == stored


def test_a_package_over_the_storage_quota_is_refused(demo, course_and_staff) -> None:
    course, instructor = course_and_staff
    data = scorm_zip(extra={"big.txt": b"a" * 50_000})
    Tenant.objects.filter(pk=demo.pk).update(storage_quota_bytes=_usage(demo) + len(data) + 1000)
    package = _import(_scorm_lesson(course), data, instructor)
    assert (package.status, package.error) == ("failed", "storage_quota")


def test_only_staff_import_and_only_into_scorm_lessons(course_and_staff) -> None:
    course, instructor = course_and_staff
    learner = UserFactory()
    upload = _zip_upload(scorm_zip(), actor=instructor)
    with pytest.raises(ApplicationError):
        services.scorm_package_import(lesson=_scorm_lesson(course), upload_id=upload.pk, actor=learner)
    text = Lesson.objects.get(module__course=course, kind="text")
    with pytest.raises(ApplicationError):
        services.scorm_package_import(lesson=text, upload_id=upload.pk, actor=instructor)
    with pytest.raises(ApplicationError):
        services.scorm_package_import(lesson=_scorm_lesson(course), upload_id=None, actor=instructor)


def test_commits_store_cmi_and_a_passed_12_attempt_completes_the_lesson(course_and_staff) -> None:
    course, instructor = course_and_staff
    lesson = _scorm_lesson(course)
    _import(lesson, scorm_zip(version="1.2"), instructor)
    learner = UserFactory()
    enrollment = EnrollmentFactory(course=course, user=learner)
    attempt = services.scorm_attempt_current(lesson=lesson, user=learner)
    assert attempt.number == 1 and services.scorm_attempt_current(lesson=lesson, user=learner) == attempt
    attempt, done, _certificate = services.scorm_attempt_commit(attempt=attempt, user=learner, data={"cmi": {
        "core": {"lesson_status": "incomplete", "lesson_location": "p2", "exit": "suspend"},
        "suspend_data": "v=1"}})
    assert not done and not LessonCompletion.objects.filter(enrollment=enrollment, lesson=lesson).exists()
    launch = services.scorm_launch_data(attempt=attempt, version="1.2", user=learner)
    assert launch["core"]["entry"] == "resume" and launch["core"]["lesson_location"] == "p2"
    assert "exit" not in launch["core"] and launch["suspend_data"] == "v=1"
    with pytest.raises(ApplicationError):
        services.lesson_complete(lesson=lesson, user=learner)  # the package says when it is done
    attempt, done, _certificate = services.scorm_attempt_commit(attempt=attempt, user=learner, data={"cmi": {
        "core": {"lesson_status": "failed", "score": {"raw": "30", "min": "0", "max": "60"}}}})
    assert not done and attempt.score == 50 and attempt.success_status == "failed"
    attempt, done, _certificate = services.scorm_attempt_commit(attempt=attempt, user=learner, data={"cmi": {
        "core": {"lesson_status": "passed", "score": {"raw": "85"}}}})
    assert done and attempt.score == 85 and attempt.completed_at is not None
    assert LessonCompletion.objects.filter(enrollment=enrollment, lesson=lesson).exists()
    restarted = services.scorm_attempt_restart(lesson=lesson, user=learner)
    assert restarted.number == 2 and restarted.cmi == {}
    assert LessonCompletion.objects.filter(enrollment=enrollment, lesson=lesson).exists()  # kept


def test_a_2004_attempt_completes_on_completed_and_scores_from_scaled(course_and_staff) -> None:
    course, instructor = course_and_staff
    lesson = _scorm_lesson(course)
    _import(lesson, scorm_zip(version="2004"), instructor)
    learner = UserFactory()
    EnrollmentFactory(course=course, user=learner)
    attempt = services.scorm_attempt_current(lesson=lesson, user=learner)
    attempt, done, _ = services.scorm_attempt_commit(attempt=attempt, user=learner, data={"cmi": {
        "completion_status": "incomplete", "success_status": "unknown", "score": {"scaled": "0.4"}}})
    assert not done and attempt.score == 40
    attempt, done, _ = services.scorm_attempt_commit(attempt=attempt, user=learner, data={"cmi": {
        "completion_status": "completed", "score": {"scaled": "7"}}})  # out of range: clamped
    assert done and attempt.score == 100
    with pytest.raises(ApplicationError):
        services.scorm_attempt_commit(attempt=attempt, user=learner, data=["not", "an", "object"])
    stranger = UserFactory()
    with pytest.raises(ApplicationError):
        services.scorm_attempt_commit(attempt=attempt, user=stranger, data={"cmi": {}})


@pytest.fixture
def played(demo, in_demo):  # type: ignore[no-untyped-def]
    instructor = UserFactory(role=User.Role.INSTRUCTOR)
    course = CourseFactory(author=instructor, quiz=False)
    lesson = _scorm_lesson(course)
    package = _import(lesson, scorm_zip(version="1.2"), instructor)
    learner = UserFactory()
    EnrollmentFactory(course=course, user=learner)
    return course, lesson, package, learner, instructor


def _client(demo, user: User) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(demo))
    client.force_login(user)
    return client


def test_package_files_are_for_the_enrolled_and_the_staff_with_their_own_policy(demo, played) -> None:
    course, lesson, package, learner, instructor = played
    url = f"/courses/{course.slug}/lessons/{lesson.pk}/scorm/{package.pk}/"
    response = _client(demo, learner).get(url + "index.html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert b"LMSInitialize" in b"".join(response.streaming_content)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline' 'unsafe-eval'" in policy and "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert _client(demo, learner).get(url + "style.css")["Content-Type"].startswith("text/css")
    assert _client(demo, instructor).get(url + "index.html").status_code == 200
    assert _client(demo, UserFactory()).get(url + "index.html").status_code == 404  # not enrolled
    assert Client(HTTP_HOST=host_of(demo)).get(url + "index.html").status_code == 302  # signed out
    for bad in ("missing.html", "../index.html", "a/../../x", "%2e%2e/index.html", "js/"):
        assert _client(demo, learner).get(url + bad).status_code == 404, bad
    other = Lesson.objects.get(module__course=course, kind="text")
    assert _client(demo, learner).get(
        f"/courses/{course.slug}/lessons/{other.pk}/scorm/{package.pk}/index.html").status_code == 404


def test_the_player_launches_the_package_and_the_commit_url_takes_the_attempts_data(demo, played) -> None:
    course, lesson, package, learner, _instructor = played
    client = _client(demo, learner)
    page = client.get(f"/courses/{course.slug}/lessons/{lesson.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "scorm-again.min.js" in html and f"/scorm/{package.pk}/index.html" in html
    attempt = ScormAttempt.objects.get(lesson=lesson, user=learner)
    token = services.scorm_commit_token(attempt=attempt)
    url = f"/courses/{course.slug}/lessons/{lesson.pk}/scorm-commit/{attempt.pk}/{token}/"
    body = {"cmi": {"core": {"lesson_status": "completed", "lesson_location": "end"}}}
    # The beacon of the runtime's last commit: text/plain, no CSRF header (the token in the URL stands for it).
    answer = client.post(url, json.dumps(body), content_type="text/plain;charset=UTF-8")
    assert answer.status_code == 200 and answer.json()["result"] is True and answer.json()["completed"] is True
    attempt.refresh_from_db()
    assert attempt.cmi["core"]["lesson_location"] == "end"
    assert client.post(url.replace(token, "x" + token[1:]), "{}", content_type="application/json").status_code == 403
    assert client.post(url, "{not json", content_type="application/json").status_code == 400
    huge = json.dumps({"cmi": {"suspend_data": "x" * (services.COMMIT_MAX_BYTES + 1)}})
    assert client.post(url, huge, content_type="application/json").status_code == 413
    assert client.post(url, "{}", content_type="application/json",
                       HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert _client(demo, UserFactory()).post(url, "{}", content_type="application/json").status_code in (403, 404)
    assert Client(HTTP_HOST=host_of(demo)).post(url, "{}", content_type="application/json").status_code == 403
    assert client.get(url).status_code == 405


def test_the_api_imports_and_follows_a_package(demo, in_demo) -> None:
    instructor = UserFactory(role=User.Role.INSTRUCTOR)
    course = CourseFactory(author=instructor, quiz=False)
    lesson = _scorm_lesson(course)
    client = client_for(host_of(demo), instructor.email)
    assert client.get(f"/api/v1/lessons/{lesson.pk}/scorm/").status_code == 404
    upload = _zip_upload(scorm_zip(), actor=instructor)
    answer = client.post(f"/api/v1/lessons/{lesson.pk}/scorm/", {"upload_id": upload.pk}, format="json")
    assert answer.status_code == 202 and answer.json()["status"] == "pending"
    services.scorm_package_unpack(package_id=answer.json()["id"])
    state = client.get(f"/api/v1/lessons/{lesson.pk}/scorm/").json()
    assert (state["status"], state["version"], state["launch_path"]) == ("ready", "1.2", "index.html")
    again = client.post(f"/api/v1/lessons/{lesson.pk}/scorm/", {"upload_id": upload.pk}, format="json")
    assert again.status_code == 400  # that zip is used (and gone)
    learner = UserFactory()
    assert client_for(host_of(demo), learner.email).get(f"/api/v1/lessons/{lesson.pk}/scorm/").status_code == 403


def test_the_vendored_runtime_is_the_pinned_npm_build() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["scorm-again"]
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]["node_modules/scorm-again"]
    assert lock["version"] == pinned
    vendored = (ROOT / "courses/static/courses/vendor/scorm-again.min.js").read_text()
    assert "window.Scorm12API=Scorm12API" in vendored and "sourceMappingURL" not in vendored
    built = ROOT / "node_modules/scorm-again/dist/scorm-again.min.js"
    assert built.exists(), "node_modules not installed: `make install-test` runs `make assets`"
    assert json.loads((ROOT / "node_modules/scorm-again/package.json").read_text())["version"] == pinned
    assert vendored == "".join(line for line in built.read_text().splitlines(keepends=True)
                               if not line.startswith("//# sourceMappingURL="))


def test_deleting_the_course_deletes_the_package_files_and_the_export_lists_the_attempts(demo, played,
                                                                                          django_capture_on_commit_callbacks
                                                                                          ) -> None:
    course, lesson, package, learner, instructor = played
    attempt = services.scorm_attempt_current(lesson=lesson, user=learner)
    services.scorm_attempt_commit(attempt=attempt, user=learner, data={"cmi": {"core": {"lesson_status": "passed"}}})
    exported = services.user_data_export(user=learner)["scorm_attempts"]
    assert [(a["lesson"], a["success_status"]) for a in exported] == [(lesson.title, "passed")]
    folder, before = package.content.key, _usage(demo)
    assert _keys(folder)
    with django_capture_on_commit_callbacks(execute=True):
        services.course_delete(course=course, actor=instructor, confirm=True)
    assert _keys(folder) == []
    assert _usage(demo) == before - package.size


def test_duplicating_a_course_copies_its_package_files_for_the_copy(demo, course_and_staff,
                                                                   django_capture_on_commit_callbacks) -> None:
    course, instructor = course_and_staff
    lesson = _scorm_lesson(course)
    package = _import(lesson, scorm_zip(version="1.2", title="Premiers pas"), instructor)
    before = _usage(demo)
    copy = services.course_duplicate(course=course, actor=instructor, title="Copie", slug=f"copie-{unique()}")
    copied_lesson = Lesson.objects.get(module__course=copy, kind=Lesson.Kind.SCORM)
    twin = ScormPackage.objects.get(lesson=copied_lesson)
    assert (twin.status, twin.version, twin.title, twin.launch_path) == ("ready", "1.2", "Premiers pas", "index.html")
    assert twin.content.key != package.content.key and twin.content.key.endswith("/")
    assert copied_lesson.media_id == twin.content_id
    names = sorted(k[len(package.content.key):] for k in _keys(package.content.key))
    assert sorted(k[len(twin.content.key):] for k in _keys(twin.content.key)) == names
    assert _usage(demo) == before + package.size
    # Each copy owns its files: deleting the original leaves the copy's package whole.
    with django_capture_on_commit_callbacks(execute=True):
        services.course_delete(course=course, actor=instructor, confirm=True)
    assert _keys(package.content.key) == []
    assert sorted(k[len(twin.content.key):] for k in _keys(twin.content.key)) == names
