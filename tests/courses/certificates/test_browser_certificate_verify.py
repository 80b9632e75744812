"""Browser test (real Chromium): the public verification page of a French certificate on acme, at 375 and
1366 px: in French, no horizontal scrolling (the long verification URL wraps), the Open Badge linked and
downloadable."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from django_tenants.utils import schema_context

from courses.models import Certificate
from tenants.models import Tenant
from tests.factories import CourseFactory, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[3] / ".var" / "screenshots"


def test_verification_page_fits_375_px_in_french_and_offers_the_open_badge(live_server_port, browser) -> None:
    acme = Tenant.objects.get(slug="acme")
    code = uuid.uuid4().hex[:16].upper()  # the live server sees committed rows: a code no other run used
    with schema_context(acme.schema_name):
        course = CourseFactory(title="Introduction à la photographie argentique et numérique", language="fr")
        learner = UserFactory(full_name="Zoé Lefèvre-Duplantier")
        Certificate.objects.create(code=code, course=course, user=learner,
                                   holder_name=learner.full_name, course_title=course.title,
                                   organisation_name="Acme Formation", score=Decimal("92.25"),
                                   issued_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="fr-FR", accept_downloads=True)  # a visitor from France, no account
    context.set_default_timeout(30_000)
    page = context.new_page()
    url = f"http://acme.localhost:{live_server_port}/certificates/verify/{code}/"

    for width in (375, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.screenshot(path=str(SCREENSHOTS / f"certificate-verify-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        assert page.get_by_test_id("certificate-valid").is_visible()
        assert page.get_by_role("heading", level=1).inner_text() == "Vérification de certificat"
        assert page.get_by_test_id("certificate-issued").inner_text() == "2 décembre 2026"
        assert page.get_by_test_id("certificate-score").inner_text() == "92,25\u00a0%"
        assert page.get_by_test_id("certificate-holder").inner_text() == "Zoé Lefèvre-Duplantier"
        assert page.get_by_test_id("certificate-url").inner_text().endswith(f"/certificates/verify/{code}/")
        assert page.get_by_test_id("maintenance-banner").count() == 0

    with page.expect_download() as download_info:
        page.get_by_test_id("certificate-credential").click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-{code}.jsonld"
    badge = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["credentialSubject"]["achievement"]["name"] == "Introduction à la photographie argentique et numérique"
    assert badge["id"] == page.get_by_test_id("certificate-url").inner_text()
    context.close()
