"""Browser (real Chromium) and a real Celery worker: acme's instructor (French) exports a course as an IMS Common
Cartridge from the course builder, the page follows the build and offers the download, which is the zip; demo's
page (English) too; both fit 1366 and 375 px wide screens."""

from __future__ import annotations

import io
import urllib.request
import zipfile

from django_tenants.utils import schema_context

from tenants.models import Tenant
from tests.factories import CourseFactory, UserFactory

from .test_xapi_browser import _log_in, _shots


def _export(page, base: str, course_id: int) -> bytes:
    page.goto(f"{base}/teach/courses/{course_id}/")
    page.get_by_test_id("link-cartridge").click()
    page.wait_for_url(f"{base}/teach/courses/{course_id}/cartridge/")
    page.get_by_test_id("cartridge-request").click()
    page.get_by_test_id("cartridge-download").wait_for(timeout=90_000)  # the page refreshes itself meanwhile
    href = page.get_by_test_id("cartridge-download").get_attribute("href")
    with page.expect_response(lambda r: r.url.endswith(href)) as answer:
        page.evaluate("href => fetch(href, {redirect: 'manual'})", href)
    location = answer.value.header_value("location")
    with urllib.request.urlopen(location, timeout=10) as body:  # the test S3 on loopback
        return body.read()


def test_an_instructor_exports_a_course_and_downloads_the_cartridge(live_server_port: int, page,
                                                                   celery_worker_session, transactional_db,
                                                                   settings) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "http", str(live_server_port)
    schemas = dict(Tenant.objects.filter(slug__in=["demo", "acme"]).values_list("slug", "schema_name"))
    with schema_context(schemas["acme"]):
        course = CourseFactory(author=UserFactory(role="instructor"), title="Statistique appliquée")
    base = f"http://acme.localhost:{live_server_port}"
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, base, "instructor@acme.test", "/teach/")
    cartridge = zipfile.ZipFile(io.BytesIO(_export(page, base, course.pk)))
    assert "imsmanifest.xml" in cartridge.namelist()
    assert b"Statistique appliqu" in cartridge.read("imsmanifest.xml")
    main = page.locator("main").inner_text()
    assert "Exporter le cours maintenant" in main and "Télécharger" in main
    for english in ("Export the course", "Download", "Requested", "No export"):
        assert english not in main, english
    _shots(page, "cartridge-acme-fr")

    with schema_context(schemas["demo"]):
        course = CourseFactory(author=UserFactory(role="instructor"), title="Applied statistics")
    demo = f"http://demo.localhost:{live_server_port}"
    _log_in(page, demo, "instructor@demo.test", "/teach/")
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(_export(page, demo, course.pk))).namelist()
    assert "Download" in page.locator("main").inner_text()
    _shots(page, "cartridge-demo-en")
