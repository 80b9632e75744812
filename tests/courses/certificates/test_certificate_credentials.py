"""Issue 14 item 7: the certificate in its course's language with a QR code of its verification URL, the
Open Badges 3.0 credential, the LinkedIn link, and the public verification page (no maintenance banner,
hostile codes not found)."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import segno
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from pypdf import PdfReader

from courses import services
from courses.models import Certificate
from courses.pdf import QR_MODULE_PIXELS
from maintenance import state
from mooc_platform import storage
from tests.factories import CourseFactory, MaintenanceWindowFactory, UserFactory
from tests.helpers import client_for, host_of, unique
from tests.maintenance.helpers import MARCH_SAT_NOON

ISSUED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)  # 10:30 in Paris


@pytest.fixture
def configured_urls(settings: Any) -> str:
    """A scheme and port of our own, so the test proves they reach the URL; returns the demo tenant's base."""
    settings.PLATFORM_URL_SCHEME = "https"
    settings.PLATFORM_URL_PORT = "8443"
    return f"https://demo.{django_settings.PLATFORM_DOMAIN}:8443"


def _certificate(*, language: str, code: str, title: str, email: str = "") -> Certificate:
    course = CourseFactory(title=title, language=language)
    user = UserFactory(full_name="Zoé Lefèvre", email=email or f"{code.lower()}@example.org")
    return Certificate.objects.create(code=code, course=course, user=user, holder_name=user.full_name,
                                      course_title=course.title, organisation_name="Université de Démo",
                                      score=Decimal("87.50"), issued_at=ISSUED)


def _pdf_of(certificate: Certificate) -> bytes:
    key = services.certificate_pdf_store(certificate_id=certificate.pk)
    try:
        return storage.object_get(key=key)
    finally:
        storage.object_delete(key=key)


def _text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def _qr_modules(pdf: bytes) -> list[list[bool]]:
    """The QR code drawn in the PDF, read back module by module from the embedded image (True = dark)."""
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1  # no logo in these tests: the one image is the QR code
    image = images[0].image.convert("L")
    modules = image.width // QR_MODULE_PIXELS
    assert image.width == image.height == modules * QR_MODULE_PIXELS
    return [[image.getpixel((c * QR_MODULE_PIXELS + QR_MODULE_PIXELS // 2,
                             r * QR_MODULE_PIXELS + QR_MODULE_PIXELS // 2)) < 128 for c in range(modules)]
            for r in range(modules)]


def _segno_modules(url: str) -> list[list[bool]]:
    """What a reader decodes as `url`: segno's matrix of it, with the 4-module quiet zone."""
    return [[bool(v) for v in row] for row in segno.make(url, error="m", micro=False).matrix_iter(border=4)]


def test_french_course_certificate_is_french_with_localised_date_and_score(in_demo, configured_urls) -> None:
    certificate = _certificate(language="fr", code="FRA0000000000001", title="Histoire de la photographie")

    text = _text(_pdf_of(certificate))

    assert "Certificat de réussite" in text
    assert "Nous certifions que Zoé Lefèvre" in text or ("Nous certifions que" in text and "Zoé Lefèvre" in text)
    assert "a suivi avec succès le cours Histoire de la photographie" in text or "a suivi avec succès le cours" in text
    assert "avec une note de 87,50 % le 2 décembre 2026" in text
    assert f"Vérifier sur {configured_urls}/certificates/verify/FRA0000000000001/" in text
    assert "Certificate of achievement" not in text and "December" not in text


def test_english_course_certificate_is_english_with_localised_date(in_demo, configured_urls) -> None:
    certificate = _certificate(language="en", code="ENG0000000000001", title="History of photography")

    text = _text(_pdf_of(certificate))

    assert "Certificate of achievement" in text
    assert "This certifies that" in text and "has completed the course" in text
    assert "with a score of 87.50 % on Dec. 2, 2026" in text
    assert f"Verify at {configured_urls}/certificates/verify/ENG0000000000001/" in text
    assert "Certificat de" not in text and "Nous certifions" not in text and "décembre" not in text


def test_qr_code_in_the_pdf_is_the_absolute_verification_url(in_demo, configured_urls) -> None:
    certificate = _certificate(language="fr", code="QRC0000000000001", title="Optique")
    url = f"{configured_urls}/certificates/verify/QRC0000000000001/"

    drawn = _qr_modules(_pdf_of(certificate))

    assert drawn == _segno_modules(url)
    assert drawn != _segno_modules(url.replace(":8443", ""))  # the port is part of what is encoded
    assert drawn != _segno_modules(url.replace("https:", "http:"))


def test_open_badge_credential_has_the_open_badges_3_fields_matching_the_database(
        demo, in_demo, configured_urls) -> None:
    certificate = _certificate(language="fr", code="OBC0000000000001", title="Chimie verte",
                               email="Zoe.Lefevre@Example.org")
    client = Client(HTTP_HOST=host_of(demo))

    response = client.get("/certificates/verify/obc0000000000001/credential.jsonld")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="certificate-OBC0000000000001.jsonld"'
    badge = json.loads(response.content)
    verify_url = f"{configured_urls}/certificates/verify/OBC0000000000001/"
    assert badge["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == verify_url
    assert badge["issuer"] == {"id": f"{configured_urls}/", "type": ["Profile"], "name": "Université de Démo",
                               "url": f"{configured_urls}/"}
    assert badge["validFrom"] == badge["awardedDate"] == "2026-12-02T09:30:00Z"
    certificate.refresh_from_db()  # what the database holds, field by field
    assert certificate.issued_at == datetime.fromisoformat(badge["validFrom"])
    assert (badge["name"], badge["issuer"]["name"]) == (certificate.course_title, certificate.organisation_name)
    assert badge["credentialSubject"]["result"][0]["value"] == str(certificate.score)
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert (achievement["type"], achievement["name"], achievement["id"]) == (
        ["Achievement"], "Chimie verte", verify_url + "#achievement")
    assert achievement["criteria"]["narrative"] and achievement["inLanguage"] == "fr"
    assert subject["result"] == [{"type": ["Result"], "value": "87.50"}]
    [identity] = subject["identifier"]
    salt = identity["salt"]
    assert identity == {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "salt": salt,
                        "identityHash": "sha256$" + hashlib.sha256(
                            ("zoe.lefevre@example.org" + salt).encode()).hexdigest()}
    assert "Zoe.Lefevre" not in response.content.decode() and "zoe.lefevre" not in response.content.decode()

    # The public verification page shows the same data and links the credential (in the tenant's
    # language: `demo` speaks English).
    page = client.get("/certificates/verify/OBC0000000000001/").content.decode()
    for shown in ("Chimie verte", "Université de Démo", "OBC0000000000001", verify_url, "87.50\u00a0%",
                  "Dec. 2, 2026", 'href="/certificates/verify/OBC0000000000001/credential.jsonld"'):
        assert shown in page


def test_erased_holder_credential_names_no_identity(in_demo, configured_urls) -> None:
    certificate = _certificate(language="en", code="ERA0000000000001", title="Gone")
    Certificate.objects.filter(pk=certificate.pk).update(user=None, holder_removed=True)
    certificate.refresh_from_db()

    badge = services.certificate_open_badge(certificate=certificate)

    assert "identifier" not in badge["credentialSubject"]
    assert badge["credentialSubject"]["achievement"]["name"] == "Gone"


def test_linkedin_link_carries_name_organisation_issue_month_url_and_id(in_demo, configured_urls) -> None:
    certificate = _certificate(language="fr", code="LIN0000000000001", title="Chimie & société")

    url = services.certificate_linkedin_url(certificate=certificate)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"], "name": ["Chimie & société"],
        "organizationName": ["Université de Démo"], "issueYear": ["2026"], "issueMonth": ["12"],
        "certUrl": [f"{configured_urls}/certificates/verify/LIN0000000000001/"], "certId": ["LIN0000000000001"]}


def test_learner_certificate_page_links_the_credential_and_linkedin(demo, in_demo, configured_urls) -> None:
    certificate = _certificate(language="fr", code="MYC0000000000001", title="Géologie")
    client = Client(HTTP_HOST=host_of(demo))
    client.force_login(certificate.user)

    page = client.get("/my/certificates/").content.decode()

    assert 'href="/certificates/verify/MYC0000000000001/credential.jsonld"' in page
    linkedin = services.certificate_linkedin_url(certificate=certificate).replace("&", "&amp;")
    assert f'href="{linkedin}"' in page


def test_verification_page_shows_no_maintenance_banner_during_an_announcement(demo, in_demo, settings) -> None:
    settings.MAINTENANCE_CACHE_SECONDS = 0
    state.maintenance_cache_clear()
    with time_machine.travel(MARCH_SAT_NOON - timedelta(days=2), tick=False):
        with schema_context("public"):
            MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], now=None,
                                     message_en="Database upgrade on Saturday.")
        certificate = _certificate(language="en", code="BAN0000000000001", title="Banners")
        client = Client(HTTP_HOST=host_of(demo))

        login_page = client.get("/login/").content.decode()
        verify_page = client.get(f"/certificates/verify/{certificate.code}/").content.decode()

    assert 'data-testid="maintenance-banner"' in login_page  # the window is announced to the tenant's users
    assert "Database upgrade on Saturday." in login_page
    assert 'data-testid="certificate-valid"' in verify_page
    assert 'data-testid="maintenance-banner"' not in verify_page
    assert "Database upgrade on Saturday." not in verify_page


@pytest.mark.parametrize("code", ["X" * 5000, "<script>alert(1)</script>", "' OR 1=1 --",
                                  "é", "%", "..", "\u202e", "0" * 33])
def test_hostile_codes_are_not_found(demo, code: str) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    path = quote(code, safe="")

    page = client.get(f"/certificates/verify/{path}/")
    credential = client.get(f"/certificates/verify/{path}/credential.jsonld")
    api = client.get(f"/api/v1/certificates/verify/{path}/")

    assert (page.status_code, credential.status_code, api.status_code) == (404, 404, 404)
    assert "<script>alert(1)</script>" not in page.content.decode()
    assert api.json()["error"]["code"]


@pytest.mark.parametrize("code", ["\x00", "A\x00B"])
def test_codes_with_nul_bytes_are_refused_as_bad_requests(demo, code: str) -> None:
    """The project's middleware refuses NUL bytes in any path before routing (400, never 500)."""
    client = Client(HTTP_HOST=host_of(demo))
    path = quote(code, safe="")

    statuses = [client.get(url).status_code for url in (
        f"/certificates/verify/{path}/", f"/certificates/verify/{path}/credential.jsonld",
        f"/api/v1/certificates/verify/{path}/")]

    assert statuses == [400, 400, 400]


def test_api_lists_the_absolute_verification_credential_and_linkedin_urls(demo, in_demo, configured_urls) -> None:
    certificate = _certificate(language="fr", code="API0000000000001", title="Botanique")

    [row] = client_for(host_of(demo), certificate.user.email).get("/api/v1/certificates/").json()["results"]

    assert row["verify_url"] == f"{configured_urls}/certificates/verify/API0000000000001/"
    assert row["credential_url"] == f"{configured_urls}/certificates/verify/API0000000000001/credential.jsonld"
    assert row["linkedin_url"] == services.certificate_linkedin_url(certificate=certificate)


def test_my_certificates_page_queries_do_not_grow_with_its_rows(demo, in_demo) -> None:
    learner = UserFactory()
    client = Client(HTTP_HOST=host_of(demo))
    client.force_login(learner)

    def add(n: int) -> None:
        for _ in range(n):
            course = CourseFactory(quiz=False)
            Certificate.objects.create(code=unique("c").upper(), course=course, user=learner, holder_name="H",
                                       course_title=course.title, organisation_name="O", score=Decimal("90"),
                                       issued_at=ISSUED)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/my/certificates/")
        assert response.content.decode().count('data-testid="certificate-linkedin"') == Certificate.objects.filter(
            user=learner).count()
        return len(captured)

    add(2)
    with_two = queries()
    add(5)
    assert queries() == with_two


def test_worker_renders_a_french_certificate_with_the_qr_code_of_its_url(transactional_db, demo, settings,
                                                                        celery_worker_session) -> None:
    """The real Celery worker (another thread, the tenant's schema entered by the task) writes the PDF in
    the course's language with the QR code of the URL built from the configured scheme and port."""
    from courses.tasks import certificate_pdf_store

    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "https", "8443"
    code = unique("w").replace("-", "").upper()
    with schema_context(demo.schema_name):
        certificate = _certificate(language="fr", code=code, title="Astronomie")
    key = certificate_pdf_store.delay(schema_name=demo.schema_name, certificate_id=certificate.pk).get(timeout=30)
    try:
        pdf = storage.object_get(key=key)
    finally:
        storage.object_delete(key=key)

    url = f"https://demo.{django_settings.PLATFORM_DOMAIN}:8443/certificates/verify/{code}/"
    assert _qr_modules(pdf) == _segno_modules(url)
    assert "Certificat de réussite" in _text(pdf) and "le 2 décembre 2026" in _text(pdf)
