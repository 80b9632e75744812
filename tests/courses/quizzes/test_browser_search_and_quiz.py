"""Browser test (real Chromium), issue 14 done-when: a learner finds a course by a French word typed without
its accent, takes a quiz with three question types and sees which answers were wrong; the pages fit 1366 and
375 px wide screens (screenshots kept under .var/screenshots/ to look at)."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

from django_tenants.utils import schema_context
from PIL import Image

from courses import services
from courses.models import Lesson
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant

SHOTS = Path(__file__).resolve().parents[3] / ".var" / "screenshots"


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def _fits(page, name: str) -> None:
    """Screenshots at 1366 and 375 px; no horizontal scrolling at either width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width} px by {overflow} px"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_learner_finds_a_course_without_accents_and_sees_which_quiz_answers_were_wrong(
        live_server_port, page) -> None:
    base = f"http://demo.localhost:{live_server_port}"
    suffix = uuid.uuid4().hex[:8]
    learner_email = f"search-{suffix}@example.org"
    title = f"Rédiger son résumé {suffix}"
    tenant = Tenant.objects.get(slug="demo")
    with schema_context(tenant.schema_name):
        User.objects.create_user(learner_email, DEMO_PASSWORD, full_name="Lou Learner")
        instructor = User.objects.get(email="instructor@demo.test")
        category = services.category_create(actor=instructor, name=f"Carrière {suffix}")
        course = services.course_create(actor=instructor, title=title, slug=f"resume-{suffix}", language="fr",
                                        summary="Les éléments d'un bon CV.", category=category.pk,
                                        duration_minutes=75)
        module = services.module_create(course=course, title="Semaine 1")
        services.lesson_create(module=module, title="Lire", kind=Lesson.Kind.TEXT, body_markdown="Bonjour.")
        quiz = services.lesson_create(module=module, title="Quiz final", kind=Lesson.Kind.QUIZ, max_attempts=3)
        services.question_create(lesson=quiz, text="Combien de pages pour un CV junior ?", kind="single",
                                 explanation="Une page suffit en début de carrière.",
                                 choices=[{"text": "Une", "is_correct": True, "feedback": "Oui."},
                                          {"text": "Quatre", "is_correct": False,
                                           "feedback": "Trop long pour un recruteur."}])
        services.question_create(lesson=quiz, text="Âge moyen du premier CV (ans) ?", kind="numeric",
                                 numeric_answer="22", numeric_tolerance="1")
        services.question_create(lesson=quiz, text="Associez chaque rubrique à son contenu", kind="matching",
                                 choices=[{"text": "Formation", "match_text": "Diplômes"},
                                          {"text": "Expérience", "match_text": "Emplois"}])
        services.course_publish(course=course, actor=instructor)

    # Anyone reads the public page of the MOOC.
    page.goto(f"{base}/courses/{course.slug}/about/")
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.get_by_test_id("course-duration").inner_text() == "1 h 15 min"
    _fits(page, "course-landing")

    _log_in(page, base, learner_email)
    page.get_by_role("link", name="Catalogue").click()
    page.get_by_label("Search the courses").fill("resume")
    page.get_by_role("button", name="Search").click()
    page.get_by_test_id("catalogue-count").wait_for()
    assert page.get_by_role("link", name=title).is_visible()
    _fits(page, "catalogue-search")
    page.get_by_label("Search the courses").fill(f"elements {suffix}")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_test_id("catalogue-count").inner_text() == "1 course found"
    page.get_by_role("link", name=title).click()

    page.get_by_role("button", name="Enrol").click()
    page.get_by_role("link", name="Quiz final").click()
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("Quatre").check()  # wrong
    page.get_by_label("Your answer (a number)").fill("22,5")  # right, within ± 1
    page.get_by_label("Formation").select_option(label="Emplois")  # wrong pairing
    page.get_by_label("Expérience").select_option(label="Diplômes")
    _fits(page, "quiz-form")
    page.get_by_role("button", name="Submit my answers").click()

    page.get_by_text("Your score: 33.33 %.").wait_for()
    review = page.get_by_test_id("quiz-review")
    verdicts = [v.inner_text() for v in review.get_by_test_id("review-verdict").all()]
    assert verdicts == ["✗ Wrong", "✓ Right", "✗ Wrong"]
    assert "Trop long pour un recruteur." in review.inner_text()
    assert "Une page suffit en début de carrière." in review.inner_text()
    assert re.search(r"Formation → Emplois", review.inner_text())
    _fits(page, "quiz-review")


def test_an_instructor_builds_questions_and_keeps_what_was_typed_on_an_error(live_server_port, page) -> None:
    base = f"http://demo.localhost:{live_server_port}"
    suffix = uuid.uuid4().hex[:8]
    tenant = Tenant.objects.get(slug="demo")
    with schema_context(tenant.schema_name):
        instructor = User.objects.get(email="instructor@demo.test")
        course = services.course_create(actor=instructor, title=f"Builder {suffix}", slug=f"builder-{suffix}")
        module = services.module_create(course=course, title="Week 1")
        quiz = services.lesson_create(module=module, title="Quiz", kind=Lesson.Kind.QUIZ)

    _log_in(page, base, "instructor@demo.test")
    page.goto(f"{base}/teach/lessons/{quiz.pk}/")
    page.get_by_label("Question kind").select_option("numeric")
    assert page.get_by_label("Expected answer").is_visible()
    assert not page.get_by_label("Pairs, one per line: item = its match").is_visible()  # other kinds hidden
    page.get_by_label("Question", exact=True).fill("Boiling point of water at sea level (°C)?")
    page.get_by_label("Expected answer").fill("a hundred")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_text("Give the expected answer as a number.").first.wait_for()
    assert page.get_by_label("Question", exact=True).input_value() == "Boiling point of water at sea level (°C)?"
    assert page.get_by_label("Expected answer").input_value() == "a hundred"
    page.get_by_label("Expected answer").fill("100")
    page.get_by_label("Tolerance (answers within ± this are right)").fill("0.5")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_text("Question added.").wait_for()

    page.get_by_label("Question kind").select_option("true_false")
    page.get_by_label("Question", exact=True).fill("Water boils at 50 °C.")
    page.get_by_label("The statement is false").check()
    page.get_by_role("button", name="Add the question").click()
    page.get_by_text("Question added.").wait_for()
    page.get_by_role("button", name=re.compile("Move up: Water boils")).click()
    assert page.get_by_test_id("questions").locator("> li").first.inner_text().startswith("Water boils at 50 °C.")
    _fits(page, "question-builder")
    page.get_by_role("link", name=re.compile("^Edit — Boiling")).click()
    assert page.get_by_label("Expected answer").input_value() == "100"
    page.get_by_label("Question", exact=True).fill("Boiling point of water (°C)?")
    page.get_by_role("button", name="Save the question").click()
    page.get_by_text("Question saved.").wait_for()
    assert "Boiling point of water (°C)?" in page.get_by_test_id("questions").inner_text()

    # A cover image, uploaded straight to S3 by the course builder's form, resized by the server.
    page.goto(f"{base}/teach/courses/{course.pk}/")
    png = io.BytesIO()
    Image.new("RGB", (1600, 1600), (30, 120, 200)).save(png, format="PNG")
    page.get_by_label("Cover image (PNG, JPEG or WebP, 10 MB at most; shown at 16:9)").set_input_files(
        {"name": "square.png", "mimeType": "image/png", "buffer": png.getvalue()})
    page.get_by_label("Estimated duration (minutes)").fill("45")
    page.get_by_role("button", name="Save the course").click()
    page.get_by_text("Course saved.").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.goto(f"{base}/courses/?q={suffix}")
    cover = page.locator(".card img.cover").first
    cover.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=cover.element_handle())
    assert cover.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1200, 675]
    _fits(page, "catalogue-cover")
    page.goto(f"{base}/courses/{course.slug}/about/")
    assert page.locator(".landing img.cover").evaluate("img => img.naturalWidth") == 1200
