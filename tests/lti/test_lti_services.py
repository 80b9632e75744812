"""LTI Advantage against the fake platform: a submitted quiz posts its score to the launched line item (token
request signed with the tool's key; a refused post is retried), deep linking returns the picked lesson with a line
item, Names and Role Provisioning reads the roster."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from courses.models import Lesson
from courses.services import quiz_attempt_start, quiz_attempt_submit
from lti.errors import LtiServiceError
from lti.models import LtiPlatform, LtiScore, LtiUserLink
from lti.selectors import tool_jwks
from lti.services import grades
from lti.services.platforms import lti_platform_create
from mooc_platform.accounts.models import User
from tests.helpers import host_of

from .helpers import demo_quiz, launch
from .platform import LEARNER, FakePlatform

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@pytest.fixture
def registered(demo, platform: FakePlatform) -> LtiPlatform:  # type: ignore[no-untyped-def]
    with schema_context(demo.schema_name):
        registration = lti_platform_create(data=platform.registration(),
                                           actor=User.objects.get(email="admin@demo.test"))
        platform.tool_keys = tool_jwks()
    return registration


@pytest.fixture
def quiz(demo) -> Lesson:  # type: ignore[no-untyped-def]
    with schema_context(demo.schema_name):
        return demo_quiz()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(grades, "_queue", lambda *, schema_name, score_ids: ids.extend(score_ids))
    return ids


def _right_answers(quiz: Lesson) -> dict[str, list[int]]:
    return {str(q.pk): [c.pk for c in q.choices.all() if c.is_correct] for q in quiz.questions.all()}


def _launched_learner(demo, platform: FakePlatform, quiz: Lesson, capture) -> User:  # type: ignore[no-untyped-def]
    """A learner launched from the platform; the launch's events are handed over (`capture`: pytest-django's
    django_capture_on_commit_callbacks), so the quiz's own events are the next transaction's."""
    target = f"http://{host_of(demo)}/courses/{quiz.module.course.slug}/lessons/{quiz.pk}/"
    hint = platform.resource_launch(hint="g1", sub="moodle-42", target=target, email="kim@university.example")
    with capture(execute=True):
        response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    assert response.status_code == 302
    with schema_context(demo.schema_name):
        return LtiUserLink.objects.get(sub="moodle-42").user


def test_a_completed_quiz_posts_its_score_to_the_line_item_of_the_launch(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson, queued: list[int],
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    learner = _launched_learner(demo, platform, quiz, django_capture_on_commit_callbacks)
    with schema_context(demo.schema_name), django_capture_on_commit_callbacks(execute=True):
        attempt = quiz_attempt_start(lesson=quiz, user=learner)
        attempt = quiz_attempt_submit(attempt=attempt, user=learner, answers=_right_answers(quiz))
    assert attempt.score == Decimal("100.00")
    assert len(queued) == 1
    with schema_context(demo.schema_name):
        score = grades.lti_score_send(score_id=queued[0])
    assert (score.status, score.attempts, score.score_given) == ("sent", 1, Decimal("100.00"))
    [received] = platform.scores
    assert received.path == "/lineitems/1/scores"
    assert received.headers["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
    assert {k: received.body[k] for k in ("userId", "scoreGiven", "scoreMaximum", "activityProgress",
                                          "gradingProgress")} == {
        "userId": "moodle-42", "scoreGiven": 100.0, "scoreMaximum": 100.0, "activityProgress": "Completed",
        "gradingProgress": "FullyGraded"}
    [token_request] = platform.token_requests
    assert token_request["claims"]["iss"] == platform.client_id  # the assertion verified with the tool's JWKS
    assert SCORE_SCOPE in token_request["form"]["scope"]
    # Sent once: a second run of the task does not post again.
    with schema_context(demo.schema_name):
        grades.lti_score_send(score_id=queued[0])
    assert len(platform.scores) == 1


def test_a_refused_score_is_kept_with_its_error_and_sent_on_the_next_attempt(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson, queued: list[int],
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    learner = _launched_learner(demo, platform, quiz, django_capture_on_commit_callbacks)
    with schema_context(demo.schema_name), django_capture_on_commit_callbacks(execute=True):
        attempt = quiz_attempt_start(lesson=quiz, user=learner)
        quiz_attempt_submit(attempt=attempt, user=learner, answers={})
    platform.score_answers.append(500)
    with schema_context(demo.schema_name):
        with pytest.raises(LtiServiceError):
            grades.lti_score_send(score_id=queued[0])
        score = LtiScore.objects.get(pk=queued[0])
        assert (score.status, score.attempts) == ("pending", 1) and "500" in score.last_error
        score = grades.lti_score_send(score_id=queued[0])
    assert (score.status, score.attempts, score.last_error) == ("sent", 2, "")
    assert [r.body["scoreGiven"] for r in platform.scores] == [0.0]


def test_the_task_retries_then_gives_up(demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson,
                                        queued: list[int], settings,
                                        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from lti.tasks import lti_score_send

    settings.LTI_SCORE_MAX_RETRIES = 2
    learner = _launched_learner(demo, platform, quiz, django_capture_on_commit_callbacks)
    with schema_context(demo.schema_name), django_capture_on_commit_callbacks(execute=True):
        attempt = quiz_attempt_start(lesson=quiz, user=learner)
        quiz_attempt_submit(attempt=attempt, user=learner, answers={})
    platform.score_answers.extend([503, 503, 503])
    result = lti_score_send.apply(kwargs={"schema_name": demo.schema_name, "score_id": queued[0]})
    # Eager retries run in place: three attempts in all, then the score is marked failed.
    assert result.get() is False
    with schema_context(demo.schema_name):
        score = LtiScore.objects.get(pk=queued[0])
    assert (score.status, score.attempts) == ("failed", 3)
    assert platform.scores == []


def test_grades_go_back_for_the_course_launch_as_the_course_score(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson, queued: list[int],
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    target = f"http://{host_of(demo)}/courses/{quiz.module.course.slug}/"
    hint = platform.resource_launch(hint="c1", sub="moodle-43", target=target, resource_link_id="rl-course",
                                    lineitem="7")
    with django_capture_on_commit_callbacks(execute=True):
        response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    assert response.status_code == 302 and response["Location"] == f"/courses/{quiz.module.course.slug}/"
    with schema_context(demo.schema_name):
        learner = LtiUserLink.objects.get(sub="moodle-43").user
    with schema_context(demo.schema_name), django_capture_on_commit_callbacks(execute=True):
        attempt = quiz_attempt_start(lesson=quiz, user=learner)
        quiz_attempt_submit(attempt=attempt, user=learner, answers=_right_answers(quiz))
    with schema_context(demo.schema_name):
        grades.lti_score_send(score_id=queued[0])
    assert platform.scores[0].path == "/lineitems/7/scores" and platform.scores[0].body["scoreGiven"] == 100.0


def test_deep_linking_returns_the_picked_lesson_with_its_line_item(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    hint = platform.deep_link_launch(hint="d1", sub="teacher-9")
    response, _token, _auth = launch(client, platform, hint=hint)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Choose the content to add" in page and quiz.title in page
    assert f"frame-ancestors {platform.origin}" in response["Content-Security-Policy"]
    launch_id = response.context["launch_id"]
    picked = client.post("/lti/deep-link/", {"launch_id": launch_id, "item": f"lesson:{quiz.pk}"})
    assert picked.status_code == 200
    assert picked.context["return_url"] == f"{platform.origin}/deep-link-return"
    claims = platform.verify_tool_jwt(picked.context["jwt"], audience=platform.issuer)
    assert claims["iss"] == platform.client_id
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "dl-data-7"
    [item] = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["title"] == quiz.title
    assert item["custom"] == {"course": quiz.module.course.slug, "lesson": str(quiz.pk)}
    assert item["lineItem"]["scoreMaximum"] == 100 and item["lineItem"]["resourceId"] == f"lesson-{quiz.pk}"
    # The choice is sent once.
    again = client.post("/lti/deep-link/", {"launch_id": launch_id, "item": f"lesson:{quiz.pk}"})
    assert again.status_code == 400 and "has expired or was already sent" in html.unescape(again.content.decode())
    assert client.post("/lti/deep-link/", {"launch_id": "forged", "item": "course:1"}).status_code == 400


def test_a_learner_cannot_deep_link(demo, registered: LtiPlatform, platform: FakePlatform) -> None:
    hint = platform.deep_link_launch(hint="d2", sub="student-9", roles=[LEARNER])
    response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    assert response.status_code == 400
    assert "Only the LMS course's instructors" in html.unescape(response.content.decode())


def test_the_roster_is_read_from_the_platform(demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson,
                                             django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _launched_learner(demo, platform, quiz, django_capture_on_commit_callbacks)
    platform.members = [
        {"user_id": "moodle-42", "name": "Kim Learner", "email": "kim@university.example", "status": "Active",
         "roles": [LEARNER]},
        {"user_id": "moodle-99", "name": "Abel Newcomer", "email": "abel@university.example", "status": "Active",
         "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]},
    ]
    admin = Client(HTTP_HOST=host_of(demo))
    with schema_context(demo.schema_name):
        admin.force_login(User.objects.get(email="admin@demo.test"))
        link = registered.resource_links.get()
    response = admin.get(f"/manage/lti/{registered.pk}/links/{link.pk}/roster/")
    assert response.status_code == 200
    members = [(m.name, m.roles, m.known) for m in response.context["members"]]
    assert members == [("Abel Newcomer", ["Instructor"], False), ("Kim Learner", ["Learner"], True)]
    platform.members = []
    platform.tokens.clear()  # the platform forgets the tool's token: refused, shown, never a 500

    class Refusing:
        def __contains__(self, item: object) -> bool:
            return False

        def add(self, item: object) -> None:
            pass

    platform.tokens = Refusing()  # type: ignore[assignment]
    refused = admin.get(f"/manage/lti/{registered.pk}/links/{link.pk}/roster/")
    assert refused.status_code == 502 and "The LMS did not give the roster" in html.unescape(refused.content.decode())


def test_a_learner_who_never_came_through_lti_sends_no_score(
        demo, queued: list[int], quiz: Lesson, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from courses.services import enrollment_create

    with schema_context(demo.schema_name), django_capture_on_commit_callbacks(execute=True):
        learner = User.objects.create_user("no-lti@demo.test", None, role=User.Role.LEARNER)
        enrollment_create(course=quiz.module.course, user=learner)
        attempt = quiz_attempt_start(lesson=quiz, user=learner)
        quiz_attempt_submit(attempt=attempt, user=learner, answers={})
    assert queued == []
