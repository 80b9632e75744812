"""LTI 1.3 launches from the fake platform (issue 17 item 2), driven with Django's test client: a resource link
opens the lesson and enrols the platform's user within the seat limit; a bad, expired or replayed id_token, an
unknown issuer or deployment show a clear error page (400, never a 500); the launch pages may be framed by the
registered platform only."""

from __future__ import annotations

import html
import time
from decimal import Decimal

import jwt
import pytest
from django.test import Client
from django_tenants.utils import schema_context

from courses.models import Course, Enrollment, Lesson
from lti.models import LtiPlatform, LtiResourceLink, LtiUserLink
from lti.selectors import tool_jwks
from lti.services.platforms import lti_platform_create
from mooc_platform.accounts.models import User
from tests.helpers import host_of

from .helpers import demo_quiz, launch, login_start
from .platform import INSTRUCTOR, FakePlatform, rsa_key


@pytest.fixture
def registered(demo, platform: FakePlatform) -> LtiPlatform:  # type: ignore[no-untyped-def]
    with schema_context(demo.schema_name):
        admin = User.objects.get(email="admin@demo.test")
        registration = lti_platform_create(data=platform.registration(), actor=admin)
        platform.tool_keys = tool_jwks()
    return registration


@pytest.fixture
def quiz(demo) -> Lesson:  # type: ignore[no-untyped-def]
    with schema_context(demo.schema_name):
        return demo_quiz()


def _target(demo, quiz: Lesson) -> str:  # type: ignore[no-untyped-def]
    return f"http://{host_of(demo)}/courses/{quiz.module.course.slug}/lessons/{quiz.pk}/"


def _error_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.content[:300]
    return html.unescape(response.content.decode())


def test_the_jwks_publishes_the_public_key_only_and_the_same_key_signs(demo, registered: LtiPlatform) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])
    assert client.get("/lti/jwks/").json() == {"keys": keys}
    with schema_context(demo.schema_name):
        from lti.models import LtiToolKey

        stored = LtiToolKey.objects.get()
        assert "PRIVATE KEY" not in stored.private_key_encrypted  # encrypted at rest
        assert stored.kid == keys[0]["kid"]


def test_a_resource_link_launch_creates_the_learner_enrols_them_and_opens_the_lesson(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    hint = platform.resource_launch(hint="h1", sub="moodle-user-17", target=_target(demo, quiz),
                                    email="lee@university.example", name="Lee Learner")
    auth = login_start(client, platform, hint=hint)
    assert auth["client_id"] == platform.client_id and auth["redirect_uri"] == f"http://{host_of(demo)}/lti/launch/"
    assert auth["login_hint"] == "moodle-user-17" and auth["lti_message_hint"] == hint
    cookie = next(c for name, c in client.cookies.items() if name.startswith("lti1p3-state-"))
    assert cookie["samesite"] == "None" and cookie["secure"] and cookie["httponly"]

    token = platform.sign(platform.claims(hint=hint, nonce=auth["nonce"]))
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert response.status_code == 302
    assert response["Location"] == f"/courses/{quiz.module.course.slug}/lessons/{quiz.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and quiz.title in page.content.decode()
    with schema_context(demo.schema_name):
        link = LtiUserLink.objects.select_related("user").get(platform=registered, sub="moodle-user-17")
        assert (link.user.email, link.user.full_name, link.user.role) == ("lee@university.example", "Lee Learner",
                                                                            "learner")
        assert not link.user.has_usable_password()
        assert Enrollment.objects.filter(user=link.user, course=quiz.module.course).exists()
        resource = LtiResourceLink.objects.get(platform=registered, resource_link_id="rl-1")
        assert (resource.lesson_id, resource.context_title) == (quiz.pk, "Physics 101")
        assert resource.lineitem_url == f"{platform.origin}/lineitems/1"
        assert resource.memberships_url == f"{platform.origin}/memberships/course-42"

    # The same person launching again is the same account.
    again, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    assert again.status_code == 302
    with schema_context(demo.schema_name):
        assert User.objects.filter(email="lee@university.example").count() == 1


def test_an_instructor_launch_gives_the_instructor_role_never_administrator(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson) -> None:
    hint = platform.resource_launch(hint="h2", sub="teacher-1", target=_target(demo, quiz), roles=[INSTRUCTOR])
    response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    assert response.status_code == 302
    with schema_context(demo.schema_name):
        assert LtiUserLink.objects.get(sub="teacher-1").user.role == User.Role.INSTRUCTOR


def test_an_email_of_an_existing_account_is_not_taken_over_unless_the_registration_trusts_it(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson) -> None:
    hint = platform.resource_launch(hint="h3", sub="someone", target=_target(demo, quiz), email="admin@demo.test")
    response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    assert response.status_code == 302
    with schema_context(demo.schema_name):
        user = LtiUserLink.objects.get(sub="someone").user
        assert user.email.endswith("@lti.invalid") and user.role == User.Role.LEARNER
        LtiUserLink.objects.all().delete()
        LtiPlatform.objects.update(match_by_email=True)
    response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    with schema_context(demo.schema_name):
        assert LtiUserLink.objects.get(sub="someone").user.email == "admin@demo.test"


def test_a_launch_past_the_seat_limit_is_a_clear_error(demo, registered: LtiPlatform, platform: FakePlatform,
                                                       quiz: Lesson) -> None:
    from tenants.models import Tenant

    with schema_context(demo.schema_name):
        from courses.services import seats_taken

        taken = seats_taken()
    Tenant.objects.filter(pk=demo.pk).update(seat_limit=taken)
    hint = platform.resource_launch(hint="h4", sub="one-too-many", target=_target(demo, quiz))
    response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    assert "The organisation has no seat left for a new user" in _error_of(response)
    with schema_context(demo.schema_name):
        assert not LtiUserLink.objects.filter(sub="one-too-many").exists()


def test_a_replayed_id_token_is_refused(demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    hint = platform.resource_launch(hint="h5", sub="u5", target=_target(demo, quiz))
    response, token, auth = launch(client, platform, hint=hint)
    assert response.status_code == 302
    replay = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert "This launch was already used or has expired" in _error_of(replay)


def test_an_expired_id_token_is_refused(demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson) -> None:
    hint = platform.resource_launch(hint="h6", sub="u6", target=_target(demo, quiz))
    past = time.time() - 3600
    response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint, iat=int(past),
                                     exp=int(past) + 300)
    assert "This launch has expired" in _error_of(response)


def test_an_id_token_signed_by_another_key_or_garbled_is_refused(demo, registered: LtiPlatform,
                                                                 platform: FakePlatform, quiz: Lesson) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    hint = platform.resource_launch(hint="h7", sub="u7", target=_target(demo, quiz))
    auth = login_start(client, platform, hint=hint)
    other_pem, _jwk = rsa_key()
    forged = platform.sign(platform.claims(hint=hint, nonce=auth["nonce"]), private_pem=other_pem)
    response = client.post("/lti/launch/", {"id_token": forged, "state": auth["state"]})
    assert "The LMS's launch could not be verified" in _error_of(response)
    auth = login_start(client, platform, hint=hint)
    for garbage in ("not-a-jwt", "a.b.c", ""):
        response = client.post("/lti/launch/", {"id_token": garbage, "state": auth["state"]})
        assert "could not be verified" in _error_of(response) or "does not match" in _error_of(response)
    assert client.post("/lti/launch/", {}).status_code == 400


def test_a_launch_without_the_state_cookie_is_refused(demo, registered: LtiPlatform, platform: FakePlatform,
                                                      quiz: Lesson) -> None:
    hint = platform.resource_launch(hint="h8", sub="u8", target=_target(demo, quiz))
    auth = login_start(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    token = platform.sign(platform.claims(hint=hint, nonce=auth["nonce"]))
    response = Client(HTTP_HOST=host_of(demo)).post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert "does not match a sign-in started here" in _error_of(response)


def test_an_unknown_issuer_or_deployment_shows_a_clear_error(demo, registered: LtiPlatform, platform: FakePlatform,
                                                             quiz: Lesson) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    hint = platform.resource_launch(hint="h9", sub="u9", target=_target(demo, quiz))
    response = client.get("/lti/login/?iss=https%3A%2F%2Funknown.example&login_hint=x&client_id=nobody"
                          "&target_link_uri=")
    assert "This LMS is not registered with the organisation" in _error_of(response)
    assert client.get("/lti/login/").status_code == 400

    auth = login_start(client, platform, hint=hint)
    token = platform.sign(platform.claims(hint=hint, nonce=auth["nonce"], iss="https://unknown.example"))
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert "This LMS is not registered with the organisation" in _error_of(response)

    auth = login_start(client, platform, hint=hint)
    token = platform.sign(platform.claims(hint=hint, nonce=auth["nonce"],
                                          **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "other"}))
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert "This deployment of the tool is not registered" in _error_of(response)


def test_a_launch_to_a_missing_lesson_or_an_unpublished_course_is_a_clear_error(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson) -> None:
    hint = platform.resource_launch(hint="h10", sub="u10", target=f"http://{host_of(demo)}/courses/nope/lessons/999999/")
    response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    assert "no longer exists here" in _error_of(response)
    with schema_context(demo.schema_name):
        Course.objects.filter(pk=quiz.module.course_id).update(status=Course.Status.DRAFT)
    hint = platform.resource_launch(hint="h11", sub="u11", target=_target(demo, quiz))
    response, _token, _auth = launch(Client(HTTP_HOST=host_of(demo)), platform, hint=hint)
    assert "This course is not published yet" in _error_of(response)


def test_a_framed_launch_continues_in_a_new_window_through_a_one_time_link(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    hint = platform.resource_launch(hint="h12", sub="u12", target=_target(demo, quiz))
    response, _token, _auth = launch(client, platform, hint=hint, headers={"Sec-Fetch-Dest": "iframe"})
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert f"frame-ancestors {platform.origin}" in csp and "X-Frame-Options" not in response
    assert "_auth_user_id" not in client.session  # the frame keeps no session: the new window signs in
    url = response.context["url"]
    window = Client(HTTP_HOST=host_of(demo))
    opened = window.get(url)
    assert opened.status_code == 302 and opened["Location"].endswith(f"/lessons/{quiz.pk}/")
    assert window.get(opened["Location"]).status_code == 200
    assert "already used" in _error_of(Client(HTTP_HOST=host_of(demo)).get(url))
    # Everything else keeps refusing frames.
    assert "frame-ancestors 'none'" in window.get("/courses/")["Content-Security-Policy"]


def test_a_login_initiation_in_a_frame_opens_the_launch_in_a_new_window(
        demo, registered: LtiPlatform, platform: FakePlatform, quiz: Lesson) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    hint = platform.resource_launch(hint="h15", sub="u15", target=_target(demo, quiz))
    from urllib.parse import parse_qsl

    from .platform import login_query

    response = client.post("/lti/login/", dict(parse_qsl(login_query(platform, hint=hint))),
                           headers={"Sec-Fetch-Dest": "iframe"})
    assert response.status_code == 200 and not response.cookies  # no state cookie a frame would lose
    assert f"frame-ancestors {platform.origin}" in response["Content-Security-Policy"]
    url = response.context["url"]
    assert url.startswith("/lti/login/?iss=")
    auth_redirect = Client(HTTP_HOST=host_of(demo)).get(url)  # the new window: a first-party context
    assert auth_redirect.status_code == 302 and auth_redirect["Location"].startswith(f"{platform.origin}/auth?")


def test_the_handoff_link_expires_after_five_minutes(demo, registered: LtiPlatform, platform: FakePlatform,
                                                     quiz: Lesson) -> None:
    import time_machine
    from django.utils import timezone

    client = Client(HTTP_HOST=host_of(demo))
    hint = platform.resource_launch(hint="h13", sub="u13", target=_target(demo, quiz))
    response, _token, _auth = launch(client, platform, hint=hint, headers={"Sec-Fetch-Dest": "iframe"})
    with time_machine.travel(timezone.now() + __import__("datetime").timedelta(minutes=6)):
        assert "has expired" in _error_of(Client(HTTP_HOST=host_of(demo)).get(response.context["url"]))


def test_a_quiz_score_reaches_only_platform_users_who_launched(demo, registered: LtiPlatform) -> None:
    """Scores are recorded for learners linked to the platform; a learner who never came through LTI sends none."""
    from lti.services.grades import lti_scores_record

    with schema_context(demo.schema_name):
        lesson = demo_quiz()
        learner = User.objects.get(email="learner1@demo.test")
        LtiResourceLink.objects.create(platform=registered, resource_link_id="x", deployment_id="deployment-1",
                                       course=lesson.module.course, lesson=lesson,
                                       lineitem_url="http://127.0.0.1:1/lineitems/9",
                                       ags_scopes=["https://purl.imsglobal.org/spec/lti-ags/scope/score"])
        assert lti_scores_record(lesson_id=lesson.pk, course_id=lesson.module.course_id, user_id=learner.pk) == []
        LtiUserLink.objects.create(platform=registered, sub="s1", user=learner)
        [score] = lti_scores_record(lesson_id=lesson.pk, course_id=lesson.module.course_id, user_id=learner.pk)
        assert score.score_given == Decimal("0.00")


def test_the_id_token_must_carry_exp_and_iat(demo, registered: LtiPlatform, platform: FakePlatform,
                                             quiz: Lesson) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    hint = platform.resource_launch(hint="h14", sub="u14", target=_target(demo, quiz))
    auth = login_start(client, platform, hint=hint)
    claims = platform.claims(hint=hint, nonce=auth["nonce"])
    del claims["exp"]
    response = client.post("/lti/launch/", {"id_token": platform.sign(claims), "state": auth["state"]})
    assert "could not be verified" in _error_of(response)
    assert jwt  # the library the platform signs with
