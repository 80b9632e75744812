"""Browser tests (real Chromium, issue 14 item 10): an administrator of acme (French) creates a cohort from a CSV,
enrols it in a course with dates, and a member sees the course on their home; a learner of demo (English) enrols
in a two-course learning path, completes both courses and downloads the path's certificate. Screenshots at 1366
and 375 px in .var/screenshots/."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from django_tenants.utils import schema_context
from pypdf import PdfReader

from courses.models import Cohort, CohortMember, Enrollment, LearningPath
from courses.services import paths as path_services
from mooc_platform.business_time import business_date
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tests.factories import CourseFactory, UserFactory
from tests.helpers import unique

SCREENSHOTS = Path(__file__).resolve().parents[3] / ".var" / "screenshots"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


from tests.browser.test_every_page import OVERFLOW_JS  # noqa: E402


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[type=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def _look(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate(OVERFLOW) <= 0, (f"{page.url} is wider than {width} px", page.evaluate(OVERFLOW_JS))
    page.set_viewport_size({"width": 1366, "height": 900})


def test_an_administrator_enrols_a_cohort_from_a_csv_and_a_member_sees_the_course(live_server_port: int, browser,
                                                                                   ) -> None:
    tenant = Tenant.objects.get(slug="acme")
    with schema_context(tenant.schema_name):
        members = [UserFactory(language="fr", full_name=f"Membre {n}") for n in (1, 2)]
        title = unique("Chimie verte")
        course = CourseFactory(title=title, language="fr", quiz=False)
    base = f"http://acme.localhost:{live_server_port}"
    name = unique("Promotion automne")
    today = business_date()
    ends = today + timedelta(days=30)

    admin = browser.new_context()
    admin.set_default_timeout(30_000)
    page = admin.new_page()
    _sign_in(page, base, "admin@acme.test")
    page.goto(base + "/teach/")
    page.get_by_test_id("teach-cohorts").click()
    page.locator("#cohort-name").fill(name)
    page.get_by_test_id("cohort-create").click()
    page.wait_for_url(f"{base}/teach/cohorts/*/")
    assert page.get_by_test_id("cohort-name").inner_text() == name
    page.get_by_test_id("cohort-import").click()
    csv_body = "email;full_name\n" + "".join(f"{m.email};{m.full_name}\n" for m in members) + "inconnu@example.org;X\n"
    page.locator("#cohort-csv").set_input_files(
        files=[{"name": "membres.csv", "mimeType": "text/csv", "buffer": csv_body.encode()}])
    page.get_by_test_id("cohort-import-submit").click()
    summary = page.get_by_test_id("cohort-import-summary").inner_text()
    assert summary.startswith("2 ajouté(s) à la cohorte") and "1 non ajouté(s)" in summary, summary
    with page.expect_download() as download:
        page.get_by_test_id("cohort-import-errors").click()
    assert "inconnu@example.org" in Path(download.value.path()).read_text()
    _look(page, "cohort-import-acme")
    page.get_by_role("link", name="Retour à la cohorte").click()
    page.locator("#enrol-course").select_option(label=title)
    page.locator("#enrol-start").fill(today.isoformat())
    page.locator("#enrol-end").fill(ends.isoformat())
    page.get_by_test_id("enrol-course").click()
    assert f"La cohorte est inscrite à {title} : 2 apprenant(s) nouvellement inscrit(s)." in \
        page.locator("body").inner_text()
    assert title in page.get_by_test_id("cohort-course").inner_text()
    _look(page, "cohort-acme")
    page.get_by_role("link", name=title).click()
    assert page.get_by_test_id("person-cohort").first.inner_text() == name
    _look(page, "course-people-acme")
    admin.close()
    with schema_context(tenant.schema_name):
        cohort = Cohort.objects.get(name=name)
        assert CohortMember.objects.filter(cohort=cohort).count() == 2
        assert set(Enrollment.objects.filter(course=course, cohort=cohort).values_list("access_ends_on", flat=True)) \
            == {ends}

    member = browser.new_context()
    member.set_default_timeout(30_000)
    page = member.new_page()
    _sign_in(page, base, members[0].email)
    card = page.get_by_test_id("my-course").filter(has_text=title)
    assert card.count() == 1
    assert card.get_by_test_id("my-course-access").inner_text().startswith("Ouvert jusqu'au")
    _look(page, "cohort-member-home-acme")
    member.close()


def _complete_course(page, base: str, slug: str) -> None:
    page.goto(f"{base}/courses/{slug}/")
    page.locator(f"a[href^='/courses/{slug}/lessons/']").first.click()
    done = "[data-testid=lesson-completed]:not([hidden])"
    try:  # a short text lesson completes itself once its end is on screen
        page.wait_for_selector(done, timeout=5_000)
    except Exception:
        page.locator(".complete-form button").click()
        page.wait_for_selector(done)


def test_a_learner_completes_a_two_course_path_and_downloads_its_certificate(live_server_port: int, page) -> None:
    tenant = Tenant.objects.get(slug="demo")
    with schema_context(tenant.schema_name):
        instructor = UserFactory(role="instructor")
        learner = UserFactory(language="en", full_name="Priya Patel")
        first = CourseFactory(author=instructor, title="Statistics basics", quiz=False)
        second = CourseFactory(author=instructor, title="Regression in practice", quiz=False)
        path = path_services.path_create(title=unique("Analyst path"), language="en", actor=instructor)
        for course in (first, second):
            path_services.path_course_add(path=path, course=course, actor=instructor)
        path_services.path_publish(path=path, actor=instructor)
    base = f"http://demo.localhost:{live_server_port}"
    _sign_in(page, base, learner.email)
    page.get_by_test_id("home-paths").click()
    page.get_by_role("link", name=path.title).click()
    page.get_by_test_id("path-enrol").click()
    assert page.get_by_test_id("path-next").inner_text().startswith("Next course: Statistics basics")
    _look(page, "path-demo")
    _complete_course(page, base, first.slug)
    page.goto(f"{base}/paths/{path.slug}/")
    assert page.get_by_test_id("path-next").inner_text().startswith("Next course: Regression in practice")
    assert "courses completed: 1 / 2" in page.get_by_test_id("path-progress").inner_text()
    _complete_course(page, base, second.slug)
    page.goto(f"{base}/paths/{path.slug}/")
    assert "You earned the certificate of this learning path." in page.get_by_test_id("path-certificate").inner_text()
    _look(page, "path-certified-demo")
    # The link redirects to the PDF on S3 (a presigned URL); the browser fetches it (and shows it in its viewer).
    with page.expect_response(lambda r: ".pdf?" in r.url and r.status == 200) as answer:
        page.get_by_test_id("path-certificate-download").click()
    assert "filename%3D%22certificate-" in answer.value.url
    # Chromium shows the PDF in its viewer: its bytes are read by the same request, with the browser's session.
    page.goto(f"{base}/paths/{path.slug}/")
    href = page.get_by_test_id("path-certificate-download").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies(base))
    redirect = page.request.get(f"http://127.0.0.1:{live_server_port}{href}", max_redirects=0,
                                headers={"Host": f"demo.localhost:{live_server_port}", "Cookie": cookies})
    assert redirect.status == 302
    response = page.request.get(redirect.headers["location"])
    body = response.body()
    assert response.ok and body.startswith(b"%PDF")
    text = " ".join(PdfReader(io.BytesIO(body)).pages[0].extract_text().split())
    assert "has completed the learning path" in text and path.title in text and "Priya Patel" in text
    with schema_context(tenant.schema_name):
        assert LearningPath.objects.get(pk=path.pk).certificates.get().user_id == learner.pk
