"""Browser test (real Chromium): an instructor builds a course with a text lesson, a video uploaded
straight to S3 and a quiz, and publishes it; a learner enrols, completes it, passes, downloads the
certificate, and the public verification page confirms it."""

import re
import uuid

from django_tenants.utils import schema_context

from courses.models import Certificate, Course, Lesson
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def test_instructor_publishes_a_course_and_a_learner_earns_a_verifiable_certificate(live_server_port, page) -> None:
    base = f"http://demo.localhost:{live_server_port}"
    suffix = uuid.uuid4().hex[:8]
    slug, learner_email = f"journey-{suffix}", f"journey-{suffix}@example.org"
    title = f"Journey course {suffix}"
    tenant = Tenant.objects.get(slug="demo")
    with schema_context(tenant.schema_name):
        User.objects.create_user(learner_email, DEMO_PASSWORD, full_name="Jules Journey")

    # --- The instructor builds and publishes the course.
    _log_in(page, base, "instructor@demo.test")
    page.get_by_role("link", name="Teach").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Slug (in the address)").fill(slug)
    page.get_by_label("Licence").select_option("cc-by")
    page.get_by_label("Pass mark (%)").fill("50")
    page.get_by_role("button", name="Create the course").click()
    page.get_by_label("New module title").fill("Week 1")
    page.get_by_role("button", name="Add the module").click()

    page.get_by_label("Lesson title").fill("Welcome")
    page.get_by_label("Kind").select_option("text")
    page.get_by_label("Text (Markdown)").first.fill("Welcome to **the course**.")
    page.get_by_role("button", name="Add the lesson").click()
    page.get_by_text("Lesson added.").wait_for()

    page.get_by_label("Lesson title").fill("Intro video")
    page.get_by_label("Kind").select_option("video")
    video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2048
    page.get_by_label("Video or file (uploaded to storage)").set_input_files(
        {"name": "intro.mp4", "mimeType": "video/mp4", "buffer": video})
    page.get_by_role("button", name="Add the lesson").click()
    page.get_by_text("Video, intro.mp4").wait_for()  # the upload went to S3, then the form was sent

    page.get_by_label("Lesson title").fill("Final quiz")
    page.get_by_label("Kind").select_option("quiz")
    page.get_by_role("button", name="Add the lesson").click()
    page.get_by_label("Question", exact=True).fill("How much is 2 + 2?")
    page.get_by_label("Choices, one per line; start the correct ones with *").fill("*4\n5\n22")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_text("Question added.").wait_for()
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_test_id("course-status").inner_text() == "Published"
    page.get_by_role("button", name="Log out").click()

    with schema_context(tenant.schema_name):
        course = Course.objects.get(slug=slug)
        media = Lesson.objects.get(module__course=course, kind="video").media
        assert (media.size, media.content_type) == (len(video), "video/mp4")

    # --- The learner enrols, completes every lesson and passes the quiz.
    _log_in(page, base, learner_email)
    page.get_by_role("link", name="Catalogue").click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Enrol").click()
    page.get_by_role("link", name="Welcome").click()
    # A text lesson is completed by reaching its end (the player posts it), then opens the next lesson in 5 s:
    # clicking "Mark as completed" too would race that (the form hides itself, the click would land on the
    # video lesson's button once the player moved on).
    page.get_by_test_id("lesson-completed").wait_for()
    page.get_by_role("link", name=re.compile("Next lesson")).click()
    page.get_by_test_id("lesson-video").wait_for()
    video_src = page.get_by_test_id("lesson-video").get_attribute("src")
    assert "X-Amz-Signature" in video_src
    page.get_by_role("button", name="Mark as completed").click()
    page.get_by_test_id("lesson-completed").wait_for()
    page.get_by_role("link", name=re.compile("Next lesson")).click()
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Submit my answers").click()
    page.get_by_text("Your score: 100.00 %.").wait_for()

    page.get_by_role("link", name=title).first.click()
    assert "2 of 3" not in page.get_by_test_id("progress").inner_text()
    assert page.get_by_test_id("progress").inner_text().startswith("3 of 3 lessons completed")
    href = page.get_by_role("link", name="Download the certificate (PDF)").get_attribute("href")
    fetched = page.evaluate("""async (href) => {
        const r = await fetch(href, {credentials: "same-origin"});
        const bytes = new Uint8Array(await r.arrayBuffer());
        return {status: r.status, url: r.url, type: r.headers.get("content-type"),
                head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length};
    }""", href)
    with schema_context(tenant.schema_name):
        code = Certificate.objects.get(course__slug=slug).code
    assert (fetched["status"], fetched["type"], fetched["head"]) == (200, "application/pdf", "%PDF-"), fetched
    assert f"certificates/{code}.pdf" in fetched["url"] and "X-Amz-Signature" in fetched["url"]

    # --- Anyone can verify it, without an account.
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{base}/certificates/verify/{code}/")
    assert "Valid certificate of achievement." in page.get_by_test_id("certificate-valid").inner_text()
    assert page.get_by_test_id("certificate-holder").inner_text() == "Jules Journey"
