"""Issue 17 item 5 with a real Celery worker and a fake LRS on loopback: a learner's journey reaches the LRS as
xAPI 1.0.3 statements (once each, a 5XX retried), and a wrong secret leaves a clear error on the statements."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from courses import services as course_services
from courses.models import Lesson
from integrations.models import LrsConfig, XapiStatement
from integrations.services.xapi import lrs_config_save
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.courses.helpers import answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for

from .helpers import FakeLrs


def _wait_for(predicate, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def demo_schema(transactional_db) -> Iterator[str]:
    """demo's schema, left without LRS nor statements (this test commits them)."""
    schema_name = Tenant.objects.get(slug="demo").schema_name
    yield schema_name
    with schema_context(schema_name):
        LrsConfig.objects.all().delete()
        XapiStatement.objects.all().delete()


def test_statements_reach_the_lrs_through_the_worker_a_5xx_is_retried_bad_credentials_are_a_clear_error(
        celery_worker_session, demo_schema: str, lrs: FakeLrs) -> None:
    lrs.answers.extend([500])
    with schema_context(demo_schema):
        admin = User.objects.get(email="admin@demo.test")
        lrs_config_save(endpoint=lrs.endpoint, key=lrs.key, secret=lrs.secret, is_active=True, actor=admin)
        course = CourseFactory(author=UserFactory(role="instructor"))
        learner = UserFactory()
        course_services.enrollment_create(course=course, user=learner)
        course_services.lesson_complete(lesson=Lesson.objects.get(module__course=course, kind="text"), user=learner)
        quiz = quiz_of(course)
        attempt = course_services.quiz_attempt_start(lesson=quiz, user=learner)
        course_services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=1))

        def all_sent() -> bool:
            statuses = list(XapiStatement.objects.values_list("status", flat=True))
            return len(statuses) == 7 and set(statuses) == {"sent"}

        _wait_for(all_sent)
        rows = list(XapiStatement.objects.order_by("id"))

    # One 500, retried: eight requests for seven statements, each stored once.
    assert len(lrs.received) == 8 and lrs.received[0].headers["x-status"] == "500"
    by_id = {s["id"]: s for s in lrs.stored()}
    assert sorted(by_id) == sorted(str(r.statement_id) for r in rows)
    stored = [by_id[str(r.statement_id)] for r in rows]  # the retried one arrived last
    assert [s["verb"]["display"]["en-US"] for s in stored] == [
        "registered", "completed", "answered", "passed", "completed", "completed", "earned"]
    assert sorted(r.attempts_count for r in rows) == [1, 1, 1, 1, 1, 1, 2]
    for request in lrs.received:
        assert request.headers["x-experience-api-version"] == "1.0.3"
        assert request.json()["actor"]["account"]["name"] == str(learner.pk)
        assert learner.email.encode() not in request.body
    assert stored[3]["result"]["score"] == {"scaled": 0.5, "raw": 50.0, "min": 0, "max": 100}

    # The administrator saves a wrong secret: the next statement fails at once with the reason, not retried.
    received = len(lrs.received)
    with schema_context(demo_schema):
        lrs_config_save(endpoint=lrs.endpoint, key=lrs.key, secret="wrong-secret", is_active=True, actor=admin)
        other = CourseFactory(author=UserFactory(role="instructor"))
        course_services.enrollment_create(course=other, user=learner)

        def failed() -> bool:
            return XapiStatement.objects.filter(status="failed").exists()

        _wait_for(failed)
    time.sleep(1.5)  # a retry would have come by now (0.5 s backoff)
    assert len(lrs.received) == received + 1
    errors = client_for("demo.localhost", "admin@demo.test").get("/api/v1/xapi/statements/?status=failed").json()
    assert [(s["verb"], s["last_status_code"], s["attempts_count"], s["last_error"]) for s in errors["results"]] == [
        ("registered", 401, 1, "The LRS refused the key and secret (HTTP 401): check them on the xAPI page. "
                               "Unauthorized: bad credentials")]
