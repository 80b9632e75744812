"""Issue 11 item 4: no input gives a 500, on any host, page or API, authenticated or not. The
examples of the issue, each answered by a class-level guard (`mooc_platform.input_guards`); the
fuzzers (tests/fuzz/, tests/api/) sweep every route with the same values."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from courses import services
from courses.models import Branding, Course, Enrollment, QuizAttempt
from maintenance.state import maintenance_cache_clear
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.courses.helpers import quiz_of, seats_leave_free
from tests.factories import CourseFactory, UserFactory
from tests.helpers import api_client, api_token, host_of, unique

SHAPE = {"code", "message", "details"}


def _error_shape(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body["error"]) == SHAPE, body
    return body["error"]


@pytest.fixture
def admin_api(demo):  # type: ignore[no-untyped-def]
    return api_client(host_of(demo), api_token(host_of(demo), "admin@demo.test"))


@pytest.fixture
def operator_api(db):  # type: ignore[no-untyped-def]
    return api_client("localhost", api_token("localhost", "operator@demo.test"))


def test_a_nul_byte_in_a_path_or_a_filter_is_a_400_on_every_host(demo, operator_api) -> None:
    tenant, platform = Client(HTTP_HOST=host_of(demo)), Client(HTTP_HOST="localhost")
    assert tenant.get("/certificates/verify/%00/").status_code == 400
    assert platform.get("/quotes/sign/%00/").status_code == 400
    assert platform.get("/status/?x=%00").status_code == 400
    audit = operator_api.get("/api/v1/audit-events/?action=%00")
    assert audit.status_code == 400 and _error_shape(audit)["code"] == "invalid_characters"
    form = tenant.post("/login/", {"username": "a\x00b@demo.test", "password": "x"})
    assert form.status_code == 400


def test_deep_json_huge_integers_and_nul_strings_are_400_with_the_error_shape(admin_api) -> None:
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50 + "1" + "}" * 50,
                 json.dumps({"title": "x", "slug": "ok-slug", "pass_mark": 10 ** 30}),
                 json.dumps({"course": 2 ** 64}), '{"title": "x\\u0000", "slug": "s"}', '{"course": NaN}'):
        response = admin_api.post("/api/v1/courses/", body, content_type="application/json")
        assert response.status_code == 400, (body[:40], response.status_code)
        assert _error_shape(response)["code"] in ("parse_error", "validation_error")


def test_json_bodies_are_size_limited_like_forms(admin_api, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = admin_api.post("/api/v1/courses/", json.dumps({"title": "x" * 2000, "slug": "a"}),
                              content_type="application/json")
    assert response.status_code == 413 and _error_shape(response)["code"] == "request_too_large"


def test_values_the_database_cannot_hold_are_400(admin_api, demo) -> None:
    too_long = admin_api.post("/api/v1/users/", {"email": "a" * 60 + "@" + "b" * 250 + ".org", "role": "learner"},
                              format="json")
    assert too_long.status_code == 400, too_long.content
    impossible = admin_api.post("/api/v1/courses/", {"title": "x", "slug": unique("s")}, format="json")
    module = admin_api.post(f"/api/v1/courses/{impossible.json()['id']}/modules/", {"title": "m"}, format="json")
    for deadline in ("2026-02-30T10:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"):
        lesson = admin_api.post(f"/api/v1/modules/{module.json()['id']}/lessons/",
                                {"title": "q", "kind": "quiz", "deadline": deadline, "time_limit_minutes": 10},
                                format="json")
        assert lesson.status_code == 400 and "deadline" in _error_shape(lesson)["details"], deadline


def test_non_numeric_ids_and_impossible_dates_in_html_forms_are_not_500(demo) -> None:
    client = Client(HTTP_HOST=host_of(demo), raise_request_exception=False)
    with schema_context(demo.schema_name):
        admin = User.objects.get(email="admin@demo.test")
        course = CourseFactory(author=admin)
        lesson = quiz_of(course)
        client.force_login(admin)
        assert client.post("/manage/branding/", {"upload_id": "²", "primary_color": "#aabbcc\n"}).status_code == 400
        assert Branding.objects.filter(primary_color__contains="\n").count() == 0
    assert client.post(f"/teach/lessons/{lesson.pk}/", {"action": "save", "title": "q", "deadline": "2026-02-30T10:00",
                                                        "max_attempts": "1"}).status_code < 500
    assert client.post(f"/courses/{course.slug}/lessons/{lesson.pk}/", {"attempt": "²"}).status_code < 500


@time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=UTC), tick=False)
def test_an_emergency_window_ending_in_9999_is_refused_and_pages_keep_working(operator_api, demo) -> None:
    response = operator_api.post("/api/v1/maintenance-windows/", {
        "start": "2026-12-02T10:00:00Z", "end": "9999-12-31T23:59:59Z", "scope": "all", "reason": "r",
        "message_fr": "m", "message_en": "m", "emergency": True, "justification": "data at risk"}, format="json")
    assert response.status_code == 400 and "end" in _error_shape(response)["details"]
    maintenance_cache_clear()
    assert Client(HTTP_HOST="localhost").get("/status/").status_code == 200
    assert Client(HTTP_HOST=host_of(demo)).get("/login/").status_code == 200


def test_every_unknown_api_path_answers_the_json_error_shape(demo) -> None:
    for host in (host_of(demo), "localhost"):
        for path in ("/api/nothing", "/api/v1/nothing/", "/api/v2/courses/", "/api/v1/courses/abc/"):
            response = Client(HTTP_HOST=host).get(path)
            assert response.status_code == 404, (host, path)
            assert response["Content-Type"] == "application/json"
            assert _error_shape(response)["code"] == "not_found"
    assert "text/html" in Client(HTTP_HOST="localhost").get("/nothing/")["Content-Type"]


# --- Concurrency: the same action twice at once is a 200/201 and a 200 or a 409, never a 500 ------------


def _twice_at_once(action: Callable[[], int]) -> list[int]:
    barrier, statuses = threading.Barrier(2), []

    def run() -> None:
        barrier.wait()
        try:
            statuses.append(action())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(statuses)


@pytest.fixture
def committed_course(transactional_db, demo):  # type: ignore[no-untyped-def]
    with schema_context(demo.schema_name):
        instructor = UserFactory(role="instructor")
        learner = UserFactory()
        course = CourseFactory(author=instructor)
    connection.set_schema_to_public()
    return {"host": host_of(demo), "course": course, "learner": learner, "instructor": instructor}


def test_concurrent_enrolment_and_quiz_start_answer_200_not_500(committed_course) -> None:
    host, course, learner = committed_course["host"], committed_course["course"], committed_course["learner"]
    token = api_token(host, learner.email)

    def enrol() -> int:
        return api_client(host, token).post("/api/v1/enrollments/", {"course": course.pk}, format="json").status_code

    assert _twice_at_once(enrol) in ([200, 201], [201, 201])
    with schema_context("t_demo"):
        quiz_id = quiz_of(course).pk
        assert Enrollment.objects.filter(course=course, user=learner).count() == 1
    connection.set_schema_to_public()

    def start() -> int:
        return api_client(host, token).post(f"/api/v1/lessons/{quiz_id}/attempts/").status_code

    assert _twice_at_once(start) == [201, 201]
    with schema_context("t_demo"):
        assert QuizAttempt.objects.filter(lesson_id=quiz_id, user=learner).count() == 1


def test_concurrent_course_creation_and_invitation_answer_never_500(committed_course) -> None:
    host, instructor = committed_course["host"], committed_course["instructor"]
    token = api_token(host, instructor.email)
    slug = unique("race")

    def create() -> int:
        return api_client(host, token).post("/api/v1/courses/", {"title": "Race", "slug": slug},
                                            format="json").status_code

    assert _twice_at_once(create) in ([201, 400], [201, 409])
    seats_leave_free(Tenant.objects.get(schema_name="t_demo"), 2)  # other tests' users may fill the seats
    with schema_context("t_demo"):
        assert Course.objects.filter(slug=slug).count() == 1
        _invited, link = services.user_invite(email=f"{unique('race')}@example.org", role="learner",
                                              full_name="Race Person")
    connection.set_schema_to_public()

    def accept() -> int:
        return Client(HTTP_HOST=host).post("/" + link.split("/", 3)[3], {
            "new_password1": "a-Strong-passphrase-42", "new_password2": "a-Strong-passphrase-42"}).status_code

    statuses = _twice_at_once(accept)
    assert 302 in statuses and all(s < 500 for s in statuses), statuses
