"""Browser (real Chromium) against the fake LTI platform (issue 17 item 2, "Done when"): the LMS's course page frames
the tool; login initiation, the platform's authentication and the launch run in the iframe; the learner opens the
lesson, completes the quiz, and the platform receives the score (real Celery worker). An unregistered deployment
shows its error page in the frame. The administrators' LTI page in English (demo) and French (acme), at 1366 and
375 px."""

from __future__ import annotations

import time
from pathlib import Path

from django_tenants.utils import schema_context

from lti.models import LtiPlatform, LtiToolKey
from lti.services.platforms import lti_platform_create
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD

from .helpers import demo_quiz
from .platform import FakePlatform

SHOTS = Path("/tmp/lti17-screenshots")


def _no_horizontal_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 5)""")
    assert wide == [], wide
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert _no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_launch_from_the_lms_opens_the_lesson_and_the_completed_quiz_posts_its_grade_back(
        live_server_port: int, page, celery_worker_session, demo) -> None:  # type: ignore[no-untyped-def]
    platform = FakePlatform(tool_port=live_server_port, tool_host="demo.localhost").start()
    try:
        with schema_context(demo.schema_name):
            lti_platform_create(data=platform.registration(), actor=User.objects.get(email="admin@demo.test"))
            quiz = demo_quiz()
            right = {q.pk: [c.pk for c in q.choices.all() if c.is_correct] for q in quiz.questions.all()}
        target = f"{platform.tool_base}/courses/{quiz.module.course.slug}/lessons/{quiz.pk}/"
        hint = platform.resource_launch(hint="browser-1", sub="moodle-browser-1", target=target,
                                        email="sam@university.example", name="Sam Student")

        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{platform.origin}/course/{hint}")
        page.click("#launch")
        # Chromium keeps no cookie in the LMS's frame (a third-party context): the tool says so and opens a window.
        frame = page.frame_locator("#tool")
        frame.get_by_test_id("lti-window").wait_for()
        assert "Open the activity" in frame.locator("h1").inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "lms-frame-1366.png"), full_page=True)

        with page.context.expect_page() as opened:
            frame.get_by_test_id("lti-window").click()
        lesson = opened.value
        lesson.wait_for_url(f"**/courses/{quiz.module.course.slug}/lessons/{quiz.pk}/")
        lesson.set_viewport_size({"width": 1366, "height": 900})
        assert quiz.title in lesson.locator("main").inner_text()
        lesson.get_by_role("button", name="Start the quiz").click()
        for choice_ids in right.values():
            for choice_id in choice_ids:
                lesson.locator(f"input[value='{choice_id}']").check()
        lesson.get_by_role("button", name="Submit my answers").click()
        assert "Your score: 100.00" in lesson.locator(".messages").inner_text()

        deadline = time.monotonic() + 60
        while not platform.scores and time.monotonic() < deadline:
            time.sleep(0.2)
        [score] = platform.scores
        assert score.path == "/lineitems/1/scores"
        assert (score.body["userId"], score.body["scoreGiven"], score.body["scoreMaximum"]) == (
            "moodle-browser-1", 100.0, 100.0)
        assert score.body["activityProgress"] == "Completed" and score.body["gradingProgress"] == "FullyGraded"

        # A launch for a deployment the administrator did not register: a clear error page, not a 500.
        platform.deployment_id = "not-registered"
        lesson.close()
        page.bring_to_front()
        page.goto(f"{platform.origin}/course/{hint}")
        page.click("#launch")
        frame.get_by_test_id("lti-window").wait_for()
        with page.context.expect_page() as opened:
            frame.get_by_test_id("lti-window").click()
        refused = opened.value
        error = refused.get_by_test_id("lti-error")
        error.wait_for()
        assert "This deployment of the tool is not registered" in error.inner_text()
        _shoot(refused, "lti-launch-error-demo")
    finally:
        platform.stop()
        with schema_context(demo.schema_name):  # committed rows of a tenant schema stay: leave none behind
            User.objects.filter(email="sam@university.example").delete()
            LtiPlatform.objects.all().delete()
            LtiToolKey.objects.all().delete()


def _admin_page(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/?next=/manage/lti/")
    page.locator("input[name=username], input[type=email]").first.fill(email)
    page.locator("input[type=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/manage/lti/")


def test_an_administrator_registers_a_platform_in_english_and_french(live_server_port: int, page, demo,
                                                                    acme) -> None:  # type: ignore[no-untyped-def]
    try:
        for _tenant, slug, texts in ((demo, "demo", ("Register a platform", "Platform registered.", "Placements")),
                                    (acme, "acme", ("Enregistrer une plateforme", "Plateforme enregistrée.",
                                                    "Emplacements"))):
            base = f"http://{slug}.localhost:{live_server_port}"
            page.set_viewport_size({"width": 1366, "height": 900})
            _admin_page(page, base, f"admin@{slug}.test")
            main = page.locator("main")
            assert texts[0] in main.inner_text()
            assert f"{base}/lti/login/" in page.get_by_test_id("lti-tool-urls").inner_text()
            form = page.get_by_test_id("lti-platform-form")
            for name, value in {"name": "Campus Moodle", "issuer": "https://moodle.university.example",
                                "client_id": "abc123", "deployment_ids": "1",
                                "auth_login_url": "https://moodle.university.example/mod/lti/auth.php",
                                "auth_token_url": "https://moodle.university.example/mod/lti/token.php",
                                "key_set_url": "https://moodle.university.example/mod/lti/certs.php"}.items():
                form.locator(f"[name={name}]").fill(value)
            page.get_by_test_id("lti-platform-submit").click()
            page.wait_for_url(f"{base}/manage/lti/*/")
            assert texts[1] in page.locator(".messages").inner_text()
            assert texts[2] in main.inner_text()
            _shoot(page, f"lti-platform-{slug}")
            page.goto(f"{base}/manage/lti/")
            _shoot(page, f"lti-platforms-{slug}")
            page.get_by_test_id("lti-platform-link").first.click()
            page.get_by_test_id("lti-platform-delete-link").click()
            page.get_by_test_id("lti-platform-delete-confirm").click()
            page.wait_for_url(f"{base}/manage/lti/")
            assert page.get_by_test_id("lti-platforms-empty").is_visible()
            page.context.clear_cookies()
    finally:
        for tenant in (demo, acme):
            with schema_context(tenant.schema_name):
                LtiPlatform.objects.all().delete()
                LtiToolKey.objects.all().delete()
