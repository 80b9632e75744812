"""SPEC R22 — operators publish a version of the terms of sale from the console (`/console/terms/`): the form, a
confirmation stating the consequence (who is e-mailed, which quotes take it), then the version on record; bad input
is shown on its field and nothing is published; audited with the operator and the client address."""

from __future__ import annotations

from django.test import Client

from invoicing.models import TermsVersion
from tenants.models import AuditEvent
from tests.helpers import console_client
from tests.invoicing.helpers import paris

IP = "203.0.113.9"
FORM = {"version": "GCS-2027-01", "effective_on": "2026-07-01", "text_fr": "Article 1 — Objet.",
        "text_en": "Article 1 — Purpose."}


def test_operator_reviews_then_publishes_a_version(db, clock) -> None:
    clock(paris(2026, 6, 15, 10))
    console = console_client(REMOTE_ADDR=IP)
    page = console.get("/console/terms/").content.decode()
    assert "Publish a new version" in page and 'data-testid="terms-form"' in page
    review = console.post("/console/terms/", FORM).content.decode()
    assert "Publish version GCS-2027-01 of the terms of sale?" in review
    assert "It applies to quotes sent from July 1, 2026, midnight (Paris time)" in review
    assert "live organisations are e-mailed now" in review and "Article 1 — Purpose." in review
    assert not TermsVersion.objects.filter(version="GCS-2027-01").exists()
    done = console.post("/console/terms/", {**FORM, "confirm": "yes"}, follow=True).content.decode()
    terms = TermsVersion.objects.get(version="GCS-2027-01")
    assert f"Version GCS-2027-01 is published (SHA-256 {terms.sha256})" in done
    assert terms.effective_at == paris(2026, 7, 1) and terms.published_by_email == "operator@demo.test"
    assert f"<code class=\"hash\">{terms.sha256}</code>" in done
    event = AuditEvent.objects.get(action="terms.published")
    assert (event.actor_email, event.ip_address) == ("operator@demo.test", IP)


def test_bad_input_is_shown_on_its_field_and_nothing_is_published(db, clock) -> None:
    clock(paris(2026, 6, 15, 10))
    console = console_client()
    count = TermsVersion.objects.count()
    answer = console.post("/console/terms/", {**FORM, "version": "GCS 2027", "confirm": "yes"})
    assert answer.status_code == 400
    assert 'data-testid="error-version"><p>A version is 1 to 40 letters' in answer.content.decode()
    answer = console.post("/console/terms/", {**FORM, "text_en": "", "confirm": "yes"})
    assert answer.status_code == 400 and 'data-testid="error-text_en"' in answer.content.decode()
    console.post("/console/terms/", {**FORM, "confirm": "yes"})
    answer = console.post("/console/terms/", {**FORM, "effective_on": "2026-06-20", "version": "GCS-2027-02",
                                              "confirm": "yes"})
    assert answer.status_code == 400 and "a new version applies after it" in answer.content.decode()
    assert TermsVersion.objects.count() == count + 1


def test_only_operators_reach_the_page(db) -> None:
    anonymous = Client(HTTP_HOST="localhost")
    assert anonymous.get("/console/terms/").status_code == 302
    assert anonymous.post("/console/terms/", {**FORM, "confirm": "yes"}).status_code == 302
    assert not TermsVersion.objects.filter(version="GCS-2027-01").exists()
