"""Learner records as xAPI statements (issue 17 item 5), services and API: the real learning services' events become
statements whose actor is an account on the organisation's URL (no e-mail), with verbs and scores; the LRS settings
are checked, the secret never comes back; a 4XX is a clear, unretried error, a 5XX is retried."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_tenants.utils import schema_context

from courses import services as course_services
from courses.models import Lesson
from integrations.errors import LrsConfigError
from integrations.models import LrsConfig, XapiStatement
from integrations.services.xapi import (
    lrs_config_save,
    tenant_home_page,
    xapi_statement_attempt,
    xapi_statements_retry,
)
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.courses.helpers import answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import api_client, api_token, client_for

from .helpers import FakeLrs

HOST = "demo.localhost"
T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


def _configure(lrs: FakeLrs, *, secret: str | None = None) -> LrsConfig:
    return lrs_config_save(endpoint=lrs.endpoint, key=lrs.key, secret=secret or lrs.secret, is_active=True,
                           actor=User.objects.get(email="admin@demo.test"))


def _journey(django_capture_on_commit_callbacks, *, right: int) -> tuple[User, object]:
    """A learner enrols, reads the text lesson and submits the quiz with `right` questions of 2 right."""
    course = CourseFactory(author=UserFactory(role="instructor"), pass_mark="50.00")
    learner = UserFactory(full_name="Lea Rner")
    text = Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT)
    quiz = quiz_of(course)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrollment_create(course=course, user=learner)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.lesson_complete(lesson=text, user=learner)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = course_services.quiz_attempt_start(lesson=quiz, user=learner)
        course_services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=right))
    return learner, course


def test_a_learner_journey_becomes_statements_with_an_account_actor_and_never_the_email(
        in_demo, lrs: FakeLrs, statements_queued: list[int], django_capture_on_commit_callbacks) -> None:
    _configure(lrs)
    learner, course = _journey(django_capture_on_commit_callbacks, right=2)
    rows = list(XapiStatement.objects.order_by("id"))
    assert [(r.event_type, r.verb) for r in rows] == [
        ("enrollment.created", "registered"), ("lesson.completed", "completed"), ("quiz.submitted", "answered"),
        ("quiz.submitted", "passed"), ("lesson.completed", "completed"), ("course.completed", "completed"),
        ("certificate.issued", "earned")]
    assert statements_queued == [r.pk for r in rows]
    home = tenant_home_page(schema_name=in_demo.schema_name)
    assert home.split("://")[1].split(":")[0] == "demo.localhost"
    for row in rows:
        assert row.statement["actor"] == {"objectType": "Agent", "account": {"homePage": home, "name": str(learner.pk)}}
        text = json.dumps(row.statement)
        assert learner.email not in text and "Lea Rner" not in text and "mbox" not in text
        assert row.status == XapiStatement.Status.PENDING
    registered, _, answered, passed, _, completed, earned = (r.statement for r in rows)
    course_id = f"{home}/courses/{course.slug}/"
    assert registered["verb"] == {"id": "http://adlnet.gov/expapi/verbs/registered", "display": {"en-US": "registered"}}
    assert registered["object"] == {"objectType": "Activity", "id": course_id, "definition": {
        "type": "http://adlnet.gov/expapi/activities/course", "name": {course.language: course.title}}}
    quiz = quiz_of(course)
    assert answered["object"]["id"] == f"{home}/courses/{course.slug}/lessons/{quiz.pk}/"
    assert answered["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert answered["context"]["contextActivities"] == {"parent": [registered["object"]]}
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["result"] == {"score": {"scaled": 1.0, "raw": 100.0, "min": 0, "max": 100}, "success": True,
                                "completion": True}
    assert completed["object"]["id"] == course_id and completed["result"] == {"completion": True}
    assert earned["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    assert earned["result"]["success"] is True and earned["result"]["score"]["raw"] == 100.0


def test_a_failed_quiz_is_failed_with_its_score(in_demo, lrs: FakeLrs, statements_queued: list[int],
                                                django_capture_on_commit_callbacks) -> None:
    _configure(lrs)
    _journey(django_capture_on_commit_callbacks, right=0)
    failed = XapiStatement.objects.get(verb="failed")
    assert failed.statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert failed.statement["result"] == {"score": {"scaled": 0.0, "raw": 0.0, "min": 0, "max": 100},
                                          "success": False, "completion": True}
    assert not XapiStatement.objects.filter(verb__in=["passed", "earned"]).exists()


def test_without_an_active_lrs_nothing_is_recorded(in_demo, lrs: FakeLrs, statements_queued: list[int],
                                                   django_capture_on_commit_callbacks) -> None:
    _journey(django_capture_on_commit_callbacks, right=2)
    assert not XapiStatement.objects.exists()
    config = _configure(lrs)
    LrsConfig.objects.filter(pk=config.pk).update(is_active=False)
    _journey(django_capture_on_commit_callbacks, right=2)
    assert not XapiStatement.objects.exists() and statements_queued == []


def test_another_organisations_events_do_not_reach_this_lrs(demo: Tenant, acme: Tenant, lrs: FakeLrs,
                                                            statements_queued: list[int],
                                                            django_capture_on_commit_callbacks) -> None:
    with schema_context(demo.schema_name):
        _configure(lrs)
    with schema_context(acme.schema_name):
        _journey(django_capture_on_commit_callbacks, right=2)
        assert not XapiStatement.objects.exists()
    with schema_context(demo.schema_name):
        assert not XapiStatement.objects.exists()


@pytest.mark.parametrize(("endpoint", "key", "secret", "field", "message"), [
    ("http://lrs.example.com/xapi/", "k", "s", "endpoint", "The endpoint must use HTTPS."),
    ("not a url", "k", "s", "endpoint", "Enter a valid URL."),
    ("https://10.1.2.3/xapi/", "k", "s", "endpoint", "The endpoint must be reachable on the internet: not a private "
                                                      "address."),
    ("https://lrs.example.com/xapi/?x=1", "k", "s", "endpoint", "Enter the LRS endpoint without a query string, "
                                                                "e.g. https://lrs.example.com/xapi/."),
    ("https://lrs.example.com/xapi/", "", "s", "key", "Enter the LRS key (the user name of its Basic "
                                                      "authentication)."),
    ("https://lrs.example.com/xapi/", "a:b", "s", "key", "The key cannot contain a colon."),
    ("https://lrs.example.com/xapi/", "k", "", "secret", "Enter the LRS secret."),
])
def test_bad_lrs_settings_are_refused_with_a_clear_error(in_demo, endpoint, key, secret, field, message) -> None:
    with pytest.raises(LrsConfigError) as refused:
        lrs_config_save(endpoint=endpoint, key=key, secret=secret, is_active=True,
                        actor=User.objects.get(email="admin@demo.test"))
    assert refused.value.details[field] == [message]
    assert not LrsConfig.objects.exists()


def test_attempts_a_5xx_is_retried_with_backoff_a_401_is_a_clear_error_not_retried(
        in_demo, lrs: FakeLrs, statements_queued: list[int], django_capture_on_commit_callbacks) -> None:
    _configure(lrs)
    lrs.answers.extend([503])
    with time_machine.travel(T0, tick=False):
        _journey(django_capture_on_commit_callbacks, right=2)
        first = XapiStatement.objects.order_by("id").first()
        assert xapi_statement_attempt(statement_id=first.pk) == timedelta(seconds=0.5)
        first.refresh_from_db()
        assert (first.status, first.attempts_count, first.last_status_code, first.last_error) == (
            "pending", 1, 503, "The LRS answered HTTP 503.")
        assert xapi_statement_attempt(statement_id=first.pk) is None
    first.refresh_from_db()
    assert (first.status, first.attempts_count, first.last_status_code, first.last_error, first.sent_at) == (
        "sent", 2, 204, "", T0)
    put = lrs.received[-1]
    assert put.path == f"/xapi/statements?statementId={first.statement_id}"
    assert put.headers["x-experience-api-version"] == "1.0.3"
    assert put.headers["content-type"] == "application/json"
    assert put.headers["authorization"] == "Basic " + base64.b64encode(b"lrs-key:lrs-secret").decode()
    assert put.json() == {"id": str(first.statement_id), **first.statement}

    # The administrator types a wrong secret: the LRS answers 401, the reason is kept, nothing is retried.
    second = XapiStatement.objects.order_by("id")[1]
    _configure(lrs, secret="typo")
    assert xapi_statement_attempt(statement_id=second.pk) is None
    second.refresh_from_db()
    assert (second.status, second.last_status_code, second.last_error) == (
        "failed", 401, "The LRS refused the key and secret (HTTP 401): check them on the xAPI page. "
                       "Unauthorized: bad credentials")
    # Fixed, the failed statements are sent again.
    _configure(lrs)
    statements_queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert xapi_statements_retry(actor=User.objects.get(email="admin@demo.test")) == 1
    assert statements_queued == [second.pk]
    assert xapi_statement_attempt(statement_id=second.pk) is None
    second.refresh_from_db()
    assert second.status == "sent"


def test_an_unreachable_lrs_is_retried_for_24_hours_then_failed(in_demo, statements_queued: list[int],
                                                                django_capture_on_commit_callbacks, settings) -> None:
    settings.XAPI_TIMEOUT_SECONDS = 1.0
    admin = User.objects.get(email="admin@demo.test")
    lrs_config_save(endpoint="http://127.0.0.1:9/xapi/", key="k", secret="s", is_active=True, actor=admin)
    with time_machine.travel(T0, tick=False):
        _journey(django_capture_on_commit_callbacks, right=0)
        row = XapiStatement.objects.order_by("id").first()
        assert xapi_statement_attempt(statement_id=row.pk) == timedelta(seconds=0.5)
    row.refresh_from_db()
    assert row.status == "pending" and row.last_status_code is None and "refused" in row.last_error.lower()
    with time_machine.travel(T0 + timedelta(hours=24), tick=False):
        assert xapi_statement_attempt(statement_id=row.pk) is None
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts_count == 2


# --- API ----------------------------------------------------------------------------------------------------


def test_the_api_sets_the_lrs_and_never_returns_the_secret(demo: Tenant, lrs: FakeLrs) -> None:
    api = client_for(HOST, "admin@demo.test")
    missing = api.get("/api/v1/xapi/lrs/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "lrs_not_configured"
    first = api.put("/api/v1/xapi/lrs/", {"endpoint": "https://lrs.example.edu/xapi", "key": "mooc",
                                          "secret": "very-secret-value"}, format="json")
    assert first.status_code == 200, first.content
    body = first.json()
    assert body.pop("updated_at")
    assert body == {"endpoint": "https://lrs.example.edu/xapi/", "key": "mooc", "has_secret": True,
                    "is_active": True}
    kept = api.put("/api/v1/xapi/lrs/", {"endpoint": "https://lrs2.example.edu/xapi/", "key": "mooc2",
                                         "is_active": False}, format="json")
    assert kept.status_code == 200 and "very-secret-value" not in kept.content.decode()
    with schema_context(demo.schema_name):
        config = LrsConfig.objects.get()
    assert (config.endpoint, config.key, config.secret, config.is_active) == (
        "https://lrs2.example.edu/xapi/", "mooc2", "very-secret-value", False)
    assert "very-secret-value" not in api.get("/api/v1/xapi/lrs/").content.decode()
    bad = api.put("/api/v1/xapi/lrs/", {"endpoint": "http://lrs.example.edu/", "key": "k"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"] == {"code": "lrs_config_invalid", "message": "The endpoint must use HTTPS.",
                                   "details": {"endpoint": ["The endpoint must use HTTPS."]}}
    assert api.delete("/api/v1/xapi/lrs/").status_code == 204
    assert api.delete("/api/v1/xapi/lrs/").status_code == 404


def test_the_api_lists_statements_by_status_and_retries_the_failed(demo: Tenant) -> None:
    with schema_context(demo.schema_name):
        XapiStatement.objects.create(verb="registered", event_type="enrollment.created", status="failed",
                                     last_status_code=401, last_error="The LRS refused the key and secret",
                                     statement={"actor": {"account": {"name": "1"}}})
        XapiStatement.objects.create(verb="completed", event_type="lesson.completed", status="sent",
                                     statement={"actor": {"account": {"name": "1"}}})
    api = client_for(HOST, "admin@demo.test")
    failed = api.get("/api/v1/xapi/statements/?status=failed").json()
    assert failed["count"] == 1
    assert {k: failed["results"][0][k] for k in ("verb", "status", "last_status_code", "last_error")} == {
        "verb": "registered", "status": "failed", "last_status_code": 401,
        "last_error": "The LRS refused the key and secret"}
    assert api.get("/api/v1/xapi/statements/").json()["count"] == 2
    wrong = api.get("/api/v1/xapi/statements/?status=lost")
    assert wrong.status_code == 400 and wrong.json()["error"]["details"]["status"]
    assert api.post("/api/v1/xapi/statements/retry/").json() == {"queued": 1}


def test_only_administrators_reach_the_lrs_and_not_across_organisations(demo: Tenant, acme: Tenant) -> None:
    for email in ("learner1@demo.test", "instructor@demo.test"):
        refused = client_for(HOST, email).get("/api/v1/xapi/lrs/")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    with schema_context(acme.schema_name):
        lrs_config_save(endpoint="https://lrs.acme.example/xapi/", key="acme", secret="acme-secret", is_active=True,
                        actor=User.objects.get(email="admin@acme.test"))
    demo_api = client_for(HOST, "admin@demo.test")
    assert demo_api.get("/api/v1/xapi/lrs/").status_code == 404
    acme_token_on_demo = api_client(HOST, api_token("acme.localhost", "admin@acme.test"))
    assert acme_token_on_demo.get("/api/v1/xapi/lrs/").status_code == 401


# --- Page ---------------------------------------------------------------------------------------------------


def test_the_page_saves_the_lrs_keeps_the_secret_hidden_and_shows_failures(demo: Tenant, demo_client) -> None:
    with schema_context(demo.schema_name):
        demo_client.force_login(User.objects.get(email="admin@demo.test"))
    page = demo_client.get("/manage/xapi/")
    assert page.status_code == 200 and "No LRS is configured yet" in page.content.decode()
    bad = demo_client.post("/manage/xapi/", {"endpoint": "http://lrs.example.edu/", "key": "k", "secret": "s"})
    assert bad.status_code == 400 and "The endpoint must use HTTPS." in bad.content.decode()
    done = demo_client.post("/manage/xapi/", {"endpoint": "https://lrs.example.edu/xapi/", "key": "k",
                                              "secret": "hidden-secret-42", "is_active": "on"})
    assert done.status_code == 302
    with schema_context(demo.schema_name):
        XapiStatement.objects.create(verb="registered", event_type="enrollment.created", status="failed",
                                     attempts_count=1, last_status_code=401,
                                     last_error="The LRS refused the key and secret (HTTP 401): check them.",
                                     statement={"actor": {"account": {"name": "12"}},
                                                "object": {"definition": {"name": {"en": "Python 101"}}}})
    html = demo_client.get("/manage/xapi/").content.decode()
    assert "hidden-secret-42" not in html and "A secret is stored" in html
    assert "Statements sent: 0, waiting: 0, failed: 1." in html
    assert "Python 101" in html and "#12" in html
    assert "The LRS refused the key and secret (HTTP 401): check them on the xAPI page." in html
    assert demo_client.post("/manage/xapi/retry/").status_code == 302
    with schema_context(demo.schema_name):
        assert XapiStatement.objects.get().status == "pending"
    learner = client_for(HOST, "learner1@demo.test")
    assert learner.get("/manage/xapi/").status_code in (302, 403)


def test_the_lrs_secret_stays_out_of_exports_and_support_reads(demo: Tenant, lrs: FakeLrs) -> None:
    from tenants.selectors import schema_table_rows

    with schema_context(demo.schema_name):
        _configure(lrs)
    rows = schema_table_rows(schema_name=demo.schema_name, table="integrations_lrsconfig")
    assert [(r["endpoint"], r["key"]) for r in rows] == [(lrs.endpoint, lrs.key)]
    assert all("secret" not in r for r in rows) and lrs.secret not in json.dumps(rows)
