"""Browser test (real Chromium, issue 14 item 1): a learner of acme (French) and one of demo (English) sign in,
see where to continue, their courses with progress and the deadlines coming, at 1366 and 375 px with no
horizontal overflow, copy their calendar address and continue to the next lesson. Screenshots in
.var/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from courses import services
from courses.models import Lesson
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[3] / ".var" / "screenshots"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize(("slug", "language", "words"), [
    ("acme", "fr", {"resume": "Reprendre là où vous vous êtes arrêté", "continue": "Continuer",
                    "deadlines": "Échéances à venir", "copied": "Copié"}),
    ("demo", "en", {"resume": "Continue where you left off", "continue": "Continue",
                    "deadlines": "Deadlines coming", "copied": "Copied"}),
])
def test_learner_continues_from_home_at_1366_and_375_px(live_server_port: int, page, slug: str, language: str,
                                                        words: dict[str, str]) -> None:
    tenant = Tenant.objects.get(slug=slug)
    with schema_context(tenant.schema_name):
        learner = UserFactory(language=language, full_name="Noémie Learner")
        course = CourseFactory(title="Chimie organique" if language == "fr" else "Organic chemistry")
        EnrollmentFactory(course=course, user=learner)
        reading = Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT)
        quiz = Lesson.objects.get(module__course=course, kind=Lesson.Kind.QUIZ)
        Lesson.objects.filter(pk=quiz.pk).update(deadline=timezone.now() + timedelta(days=4))
        services.lesson_complete(lesson=reading, user=learner)
    base = f"http://{slug}.localhost:{live_server_port}"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(base + "/login/")
    page.locator("input[name=username]").fill(learner.email)
    page.locator("input[type=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + "/")
        assert page.evaluate(OVERFLOW) <= 0, f"/ is wider than {width} px"
        page.screenshot(path=str(SCREENSHOTS / f"learner-home-{slug}-{width}.png"), full_page=True)
    assert words["resume"] in page.get_by_test_id("resume").inner_text()
    assert "50" in page.get_by_test_id("my-course-progress").inner_text()
    assert quiz.title in page.get_by_test_id("deadline").inner_text()
    page.locator("details.calendar-feed summary").click()
    page.locator("details.calendar-feed button.copy").click()
    assert page.locator("details.calendar-feed button.copy").inner_text() == words["copied"]
    assert page.evaluate("navigator.clipboard.readText()") == page.get_by_test_id("calendar-url").inner_text()
    page.get_by_test_id("resume-link").click()
    page.wait_for_url(f"{base}/courses/{course.slug}/lessons/{quiz.pk}/")
    assert quiz.title in page.locator("h1").inner_text()
