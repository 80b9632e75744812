"""Browser (real Chromium) and a real Celery worker (issue 14 item 6 and the SCORM part of its "Done when"): an
instructor of acme (French) adds a SCORM lesson, imports a SCORM 1.2 package the test builds (the page follows the
unpacking by the worker), then a SCORM 2004 one in a second lesson; a learner launches the 1.2 package, whose SCO
finds the runtime's API, stores a location and suspend data and commits; on re-launch it resumes from them; the
learner finishes (passed, 85) and the lesson shows completed, the course progress moves; the 2004 package is
completed likewise (completed, passed, scaled 0.9). 1366 and 375 px, no horizontal overflow; screenshots in
.var/screenshots/."""

from __future__ import annotations

import time
from pathlib import Path

from django_tenants.utils import schema_context

from courses.models import Lesson, LessonCompletion, ScormAttempt, ScormPackage
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory

from .helpers import scorm_zip

SCREENSHOTS = Path(__file__).resolve().parents[3] / ".var" / "screenshots"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(base + "/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[type=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/**")


def _shots(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate(OVERFLOW) <= 0, f"{name} overflows at {width} px"
    page.set_viewport_size({"width": 1366, "height": 900})


def _import(page, base: str, lesson_id: int, path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/teach/lessons/{lesson_id}/")
    page.locator("#id_scorm").set_input_files(str(path))
    page.get_by_role("button", name="Importer le paquet").click()
    # The page refreshes itself while the worker unpacks the package.
    page.get_by_test_id("scorm-current").wait_for(timeout=60_000)
    assert "Prêt" in page.get_by_test_id("scorm-status").inner_text()


def _state(page) -> str:  # type: ignore[no-untyped-def]
    return page.frame_locator("[data-testid=scorm-frame]").locator("#state").inner_text()


def _wait_state(page, needle: str, timeout: float = 20) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        try:
            state = _state(page)
        except Exception:
            state = ""
        if needle in state:
            return state
        assert time.monotonic() < deadline, f"the SCO never showed {needle!r}: {state!r}"
        page.wait_for_timeout(200)


def test_an_instructor_imports_scorm_packages_and_a_learner_completes_and_resumes_them(
        live_server_port: int, page, celery_worker_session, tmp_path: Path) -> None:
    acme = Tenant.objects.get(slug="acme")
    with schema_context(acme.schema_name):
        instructor = UserFactory(role=User.Role.INSTRUCTOR, language="fr")
        course = CourseFactory(author=instructor, quiz=False, title="Sécurité au laboratoire")
        learner = UserFactory(language="fr", full_name="Léa Martin")
        EnrollmentFactory(course=course, user=learner)
    base = f"http://acme.localhost:{live_server_port}"
    (tmp_path / "paquet-12.zip").write_bytes(scorm_zip(version="1.2", title="Les gestes sûrs"))
    (tmp_path / "paquet-2004.zip").write_bytes(scorm_zip(version="2004", title="Évaluation finale",
                                                         href="sco/start.html"))

    # The instructor adds a SCORM lesson and imports the 1.2 package; the page follows the worker.
    _sign_in(page, base, instructor.email)
    page.goto(f"{base}/teach/courses/{course.pk}/")
    page.get_by_label("Titre de la leçon").fill("Les gestes sûrs")
    page.get_by_label("Type", exact=True).select_option("scorm")
    page.get_by_role("button", name="Ajouter la leçon").click()
    page.wait_for_url(f"{base}/teach/lessons/*/")
    with schema_context(acme.schema_name):
        first = Lesson.objects.get(module__course=course, kind=Lesson.Kind.SCORM)
    _import(page, base, first.pk, tmp_path / "paquet-12.zip")
    main = page.locator("main").inner_text()
    assert "Les gestes sûrs (SCORM 1.2)" in main and "index.html" in main and "Remplacer le paquet" in main
    _shots(page, "scorm-teach-acme-fr")
    page.goto(f"{base}/teach/courses/{course.pk}/")
    page.get_by_label("Titre de la leçon").fill("Évaluation finale")
    page.get_by_label("Type", exact=True).select_option("scorm")
    page.get_by_role("button", name="Ajouter la leçon").click()
    page.wait_for_url(f"{base}/teach/lessons/*/")
    with schema_context(acme.schema_name):
        second = Lesson.objects.filter(module__course=course, kind=Lesson.Kind.SCORM).exclude(pk=first.pk).get()
    _import(page, base, second.pk, tmp_path / "paquet-2004.zip")
    assert "(SCORM 2004)" in page.locator("main").inner_text()

    # The learner launches the 1.2 package: the SCO finds the API, starts afresh, stores where it is and commits.
    _sign_in(page, base, learner.email)
    page.goto(f"{base}/courses/{course.slug}/")
    assert page.get_by_test_id("progress").inner_text().startswith("0 leçons terminées sur 3")
    page.goto(f"{base}/courses/{course.slug}/lessons/{first.pk}/")
    state = _wait_state(page, "commit=")
    assert "location=;suspend=;entry=ab-initio;name=Léa Martin" in state, state
    assert "commit=true" in state, state
    with schema_context(acme.schema_name):
        attempt = ScormAttempt.objects.get(lesson=first, user=learner)
        assert attempt.cmi["core"]["lesson_location"] == "page-2" and attempt.cmi["suspend_data"] == "visited=1,2"
        assert not LessonCompletion.objects.filter(lesson=first, enrollment__user=learner).exists()
    _shots(page, "scorm-player-acme-fr")

    # Re-launched, it resumes from the stored location and suspend data.
    page.goto(f"{base}/courses/{course.slug}/lessons/{first.pk}/")
    state = _wait_state(page, "commit=")
    assert "location=page-2;suspend=visited=1,2;entry=resume" in state, state

    # Finishing passes it (85): the lesson shows completed at once, the outline ticks it, the progress moves.
    page.frame_locator("[data-testid=scorm-frame]").get_by_role("button", name="Finish").click()
    state = _wait_state(page, "finish=")
    assert "final-commit=true;finish=true" in state, state
    page.get_by_test_id("lesson-completed").get_by_text("Terminé").wait_for()
    with schema_context(acme.schema_name):
        attempt.refresh_from_db()
        assert (attempt.success_status, attempt.score) == ("passed", 85)
        assert LessonCompletion.objects.filter(lesson=first, enrollment__user=learner).exists()
    page.goto(f"{base}/courses/{course.slug}/lessons/{first.pk}/")
    assert "Terminé" in page.get_by_test_id("lesson-completed").inner_text()
    assert page.locator("li.current [data-testid=outline-done]").count() == 1
    assert "85" in page.get_by_test_id("scorm-attempt").inner_text()
    page.goto(f"{base}/courses/{course.slug}/")
    assert page.get_by_test_id("progress").inner_text().startswith("1 leçons terminées sur 3")

    # The 2004 package: Initialize, SetValue…, Commit, Terminate; completed and passed, scaled 0.9.
    page.goto(f"{base}/courses/{course.slug}/lessons/{second.pk}/")
    state = _wait_state(page, "commit=")
    assert "location=;suspend=;" in state and "commit=true" in state, state
    page.goto(f"{base}/courses/{course.slug}/lessons/{second.pk}/")
    state = _wait_state(page, "commit=")
    assert "location=slide-3;suspend=answers=a,b;entry=resume" in state, state
    page.frame_locator("[data-testid=scorm-frame]").get_by_role("button", name="Finish").click()
    assert "final-commit=true;finish=true" in _wait_state(page, "finish="), _state(page)
    page.get_by_test_id("lesson-completed").get_by_text("Terminé").wait_for()
    with schema_context(acme.schema_name):
        attempt = ScormAttempt.objects.get(lesson=second, user=learner)
        assert (attempt.completion_status, attempt.success_status, attempt.score) == ("completed", "passed", 90)
        assert ScormPackage.objects.get(lesson=second).version == "2004"
    page.goto(f"{base}/courses/{course.slug}/")
    assert page.get_by_test_id("progress").inner_text().startswith("2 leçons terminées sur 3")
