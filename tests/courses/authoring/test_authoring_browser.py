"""Browser test (real Chromium), issue 14 done-when, the instructor's part: a course built with the editor (toolbar,
live preview, an image uploaded into the Markdown, its upload retried after a storage failure), a 70 MB video
uploaded while the percentage rises to 100 % (the submit button disabled meanwhile), lessons reordered by drag and
drop, a lesson deleted after a confirmation and brought back with "Undo", and the course previewed as a learner.
S3 is the devstack's moto server; screenshots go under .var/screenshots/."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

from django_tenants.utils import schema_context
from PIL import Image

from courses import selectors
from courses.models import Course, Enrollment, Lesson, MediaUpload
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant

SHOTS = Path(__file__).resolve().parents[3] / ".var" / "screenshots"
MB = 1024 * 1024

# Collects every text the upload status shows (the test reads the percentages it went through).
WATCH_STATUS = """form => {
  window.__statuses = [];
  const status = form.querySelector('[data-upload-status]');
  new MutationObserver(() => window.__statuses.push(status.textContent))
    .observe(status, {childList: true, characterData: true, subtree: true});
}"""


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def _fits(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width} px by {overflow} px"
    page.set_viewport_size({"width": 1366, "height": 900})


def _percentages(statuses: list[str]) -> list[int]:
    return [int(m.group(1)) for text in statuses if (m := re.search(r"(\d+)\s%", text))]


def test_an_instructor_builds_a_course_with_the_editor_and_uploads_a_70_mb_video(
        live_server_port, page, tmp_path) -> None:
    base = f"http://demo.localhost:{live_server_port}"
    suffix = uuid.uuid4().hex[:8]
    slug = f"editor-{suffix}"
    tenant = Tenant.objects.get(slug="demo")
    _log_in(page, base, "instructor@demo.test")

    # The course, with its start and end dates.
    page.goto(base + "/teach/")
    page.get_by_label("Title").fill(f"Éditeur {suffix}")
    page.get_by_label("Slug (in the address)").fill(slug)
    page.get_by_label("Start date").fill("2031-03-02")
    page.get_by_label("End date").fill("2031-04-30")
    page.get_by_role("button", name="Create the course").click()
    page.get_by_text("Course created.").wait_for()
    with schema_context(tenant.schema_name):
        course = Course.objects.get(slug=slug)
        assert (course.starts_on.isoformat(), course.ends_on.isoformat()) == ("2031-03-02", "2031-04-30")
    page.get_by_label("New module title").fill("Semaine 1")
    page.get_by_role("button", name="Add the module").click()
    page.get_by_test_id("module-title").filter(has_text="Semaine 1").wait_for()

    # A text lesson written with the toolbar, checked in the live preview.
    form = page.locator("form[data-upload=lesson]").first
    form.get_by_label("Lesson title").fill("Introduction")
    body = form.get_by_label("Text (Markdown)")
    body.fill("Bienvenue ")
    toolbar = form.get_by_role("toolbar", name="Formatting")
    toolbar.get_by_role("button", name="Bold").click()  # inserts **bold text**, selected
    body.press("End")
    body.type("\n\n")
    toolbar.get_by_role("button", name="Heading").click()
    preview = form.get_by_test_id("markdown-preview")
    preview.locator("strong", has_text="bold text").wait_for()
    preview.locator("h2", has_text="Heading").wait_for()
    # The toolbar is one tab stop, its buttons reached with the arrow keys.
    toolbar.get_by_role("button", name="Bold").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Italic"

    # An image uploaded into the Markdown; storage refuses the first try, "Retry the upload" sends it again.
    png = io.BytesIO()
    Image.new("RGB", (320, 180), (200, 60, 30)).save(png, format="PNG")
    failures = []

    def refuse_once(route) -> None:
        if route.request.method == "PUT" and not failures:
            failures.append(route.request.url)
            route.fulfill(status=503, body="unavailable")
        else:
            route.fallback()

    page.route(re.compile(r".*/media/image/.*"), refuse_once)
    submit = form.get_by_role("button", name="Add the lesson")
    with page.expect_file_chooser() as chooser:
        toolbar.get_by_role("button", name="Image").click()
    chooser.value.set_files({"name": "schema.png", "mimeType": "image/png", "buffer": png.getvalue()})
    retry = form.get_by_role("button", name="Retry the upload")
    retry.wait_for()
    assert "HTTP 503" in form.locator("[data-upload-status]").inner_text()
    assert submit.is_disabled()  # not done yet
    retry.click()
    form.get_by_text("schema.png uploaded.").wait_for()
    assert submit.is_enabled() and len(failures) == 1
    assert re.search(rf"!\[schema\]\(/courses/{slug}/images/\d+/\)", body.input_value())
    image = preview.locator("img[alt=schema]")
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=image.element_handle())
    _fits(page, "editor")
    submit.click()
    page.get_by_text("Lesson added.").wait_for()
    with schema_context(tenant.schema_name):
        text = Lesson.objects.get(module__course=course, title="Introduction")
        assert "<strong>bold text</strong>" in text.body_html
        assert re.search(rf'<img alt="schema" src="/courses/{slug}/images/\d+/"', text.body_html)
        assert MediaUpload.objects.filter(course=course, purpose="image", confirmed_at__isnull=False).count() == 1

    # A 70 MB video: the percentage rises to 100 % (multipart, part by part), the submit button waits for it.
    video = tmp_path / "lecture.mp4"
    with video.open("wb") as out:
        out.truncate(70 * MB)
    form = page.locator("form[data-upload=lesson]").first
    form.get_by_label("Lesson title").fill("Cours filmé")
    form.get_by_label("Kind").select_option("video")
    form.evaluate(WATCH_STATUS)
    form.get_by_label("Video or file (uploaded to storage)").set_input_files(str(video))
    submit = form.get_by_role("button", name="Add the lesson")
    assert submit.is_disabled()
    form.get_by_text("lecture.mp4 uploaded.").wait_for(timeout=180_000)
    seen = _percentages(page.evaluate("window.__statuses"))
    assert seen == sorted(seen) and seen[-1] == 100, seen
    assert len({p for p in seen if 0 < p < 100}) >= 3, f"the percentage should rise step by step: {seen}"
    assert form.locator("[data-upload-progress]").evaluate("bar => bar.value") == 100
    assert submit.is_enabled()
    submit.click()
    page.get_by_text("Lesson added.").wait_for()
    page.get_by_text("lecture.mp4").wait_for()
    with schema_context(tenant.schema_name):
        lesson = Lesson.objects.select_related("media").get(module__course=course, title="Cours filmé")
        assert lesson.kind == "video" and lesson.media.size == 70 * MB
    _fits(page, "course-builder")

    # Drag and drop: the video lesson before the text lesson, saved at once.
    lessons = page.locator("[data-reorder=lessons]").first
    lessons.locator("li").nth(1).locator(".drag-handle").drag_to(lessons.locator("li").nth(0))
    page.wait_for_function("list => list.hasAttribute('data-saved')", arg=lessons.element_handle())
    with schema_context(tenant.schema_name):
        assert [lesson.title for lesson in selectors.course_lessons(course=course)] == ["Cours filmé", "Introduction"]
    page.reload()
    assert page.locator("[data-reorder=lessons] li").first.inner_text().startswith("⠿ Cours filmé")

    # Delete after a confirmation, then undo.
    page.get_by_role("link", name="Delete Introduction").click()
    page.get_by_test_id("delete-consequence").wait_for()
    _fits(page, "lesson-delete-confirmation")
    page.get_by_role("button", name="Delete the lesson").click()
    undo = page.get_by_test_id("undo")
    undo.wait_for()
    assert "Introduction" not in page.locator("[data-reorder=lessons]").first.inner_text()
    undo.get_by_role("button", name="Undo").click()
    page.get_by_text("Introduction is back.").wait_for()
    assert "Introduction" in page.locator("[data-reorder=lessons]").first.inner_text()

    # Preview as learner: the course and the text as learners see them, and no enrolment.
    page.get_by_role("link", name="Preview as learner").click()
    page.get_by_test_id("preview-banner").wait_for()
    page.get_by_role("link", name="Introduction").click()
    page.locator(".lesson-body strong", has_text="bold text").wait_for()
    shown = page.locator(".lesson-body img[alt=schema]")
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=shown.element_handle())
    with schema_context(tenant.schema_name):
        instructor = User.objects.get(email="instructor@demo.test")
        assert not Enrollment.objects.filter(course=course, user=instructor).exists()
