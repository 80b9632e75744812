"""Browser test (real Chromium, issue 14 items 8 and 9): a learner of acme (French) and one of demo (English)
see the unread count in the navigation after a reply to their thread about a lesson, open the notifications
page at 1366 and 375 px with no horizontal overflow, follow the notification to the thread (marked read), and
choose a daily digest. Screenshots in .var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from courses import services
from courses.models import Lesson, Notification
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[3] / ".var" / "screenshots"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize(("slug", "language", "words"), [
    ("acme", "fr", {"reply": "Rémi Replier a répondu à votre message", "saved": "Vos choix sont enregistrés."}),
    ("demo", "en", {"reply": "Rémi Replier replied to your post", "saved": "Your choices are saved."}),
])
def test_learner_is_told_of_a_reply_and_follows_it_to_the_thread(live_server_port: int, page, slug: str,
                                                                 language: str, words: dict[str, str]) -> None:
    tenant = Tenant.objects.get(slug=slug)
    with schema_context(tenant.schema_name):
        author = UserFactory(language=language, full_name="Alice Author")
        replier = UserFactory(language=language, full_name="Rémi Replier")
        course = CourseFactory(title="Optique" if language == "fr" else "Optics")
        for user in (author, replier):
            EnrollmentFactory(course=course, user=user)
        Notification.objects.filter(user=author).delete()
        reading = Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT)
        thread = services.post_create(course=course, author=author, body="Comment **focaliser** ?", lesson=reading)
        services.post_create(course=course, author=replier, parent=thread, body="Avec une lentille, @Alice Author.")
    base = f"http://{slug}.localhost:{live_server_port}"
    page.goto(base + "/login/")
    page.locator("input[name=username]").fill(author.email)
    page.locator("input[type=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    assert page.get_by_test_id("nav-unread").inner_text().startswith("1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + "/my/notifications/")
        assert page.evaluate(OVERFLOW) <= 0, f"/my/notifications/ is wider than {width} px"
        page.screenshot(path=str(SCREENSHOTS / f"notifications-{slug}-{width}.png"), full_page=True)
        page.goto(f"{base}/courses/{course.slug}/discussion/?lesson={reading.pk}")
        assert page.evaluate(OVERFLOW) <= 0, f"the discussion is wider than {width} px"
        page.screenshot(path=str(SCREENSHOTS / f"discussion-{slug}-{width}.png"), full_page=True)
    page.goto(base + "/my/notifications/")
    notification = page.get_by_test_id("notification")
    assert words["reply"] in notification.inner_text()
    notification.locator("button").click()
    page.wait_for_url(f"{base}/courses/{course.slug}/discussion/#post-{thread.pk}")
    assert page.get_by_test_id("nav-unread").count() == 0
    page.goto(base + "/my/notifications/")
    page.get_by_test_id("daily-digest").check()
    page.locator("form button[type=submit]").last.click()
    assert words["saved"] in page.locator(".messages").inner_text()
    assert page.get_by_test_id("daily-digest").is_checked()
