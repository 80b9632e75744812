"""SPEC R22 — terms of sale on record (GCS preamble, `001_…` §3): each version with its French and English text,
effective date and the SHA-256 of its PDF; a quote keeps the version it was sent with; the signature evidence
carries the terms hash next to the quote PDF's; the signer and the customer contact receive the signed order
(quote PDF + terms PDF); a new version is announced to the administrators of live customers, once each; the
customer administrator finds the signed orders and their evidence on the billing page."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.documents import terms_pdf_render
from invoicing.errors import TermsVersionError
from invoicing.models import Quote, QuoteSignature, TermsAnnouncement, TermsVersion
from mooc_platform import storage
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent, Tenant
from tenants.routing import tenant_cache_clear
from tests.invoicing.helpers import paris, sign

FR = "Article 1 — Le devis signé vaut commande définitive.\n\nArticle 2 — Réclamations sous 48 heures."
EN = "Article 1 — The signed quote is a definitive order.\n\nArticle 2 — Claims within 48 hours."


def publish(version: str, when, **extra: object) -> TermsVersion:
    return services.terms_version_publish(version=version, text_fr=extra.pop("fr", FR), text_en=extra.pop("en", EN),
                                          effective_at=when, now=extra.pop("now", when), **extra)


def test_a_version_keeps_both_texts_its_date_and_the_sha256_of_its_deterministic_pdf(db, clock) -> None:
    clock(paris(2026, 3, 1, 10))
    terms = publish("GCS-2026-03", paris(2026, 3, 1, 10))
    pdf = storage.object_get(key=terms.pdf_key)
    assert pdf[:5] == b"%PDF-" and terms.sha256 == hashlib.sha256(pdf).hexdigest()
    assert pdf == terms_pdf_render(version="GCS-2026-03", effective_at=paris(2026, 3, 1, 10), text_fr=FR,
                                   text_en=EN, seller_name="MOOCit SAS")
    assert (terms.text("fr"), terms.text("en"), terms.effective_at) == (FR, EN, paris(2026, 3, 1, 10))
    event = AuditEvent.objects.get(action="terms.published")
    assert event.after == {"version": "GCS-2026-03", "effective_at": "2026-03-01T10:00:00+01:00",
                           "sha256": terms.sha256}
    with pytest.raises(DatabaseError, match="on record"), transaction.atomic():
        TermsVersion.objects.filter(pk=terms.pk).update(text_en="Something else")
    with pytest.raises(DatabaseError, match="on record"), transaction.atomic():
        TermsVersion.objects.filter(pk=terms.pk).delete()


@pytest.mark.parametrize(("version", "fr", "en", "when", "field"), [
    ("GCS 2026", FR, EN, (2026, 5, 1), "version"),
    ("GCS-2026-05", "  ", EN, (2026, 5, 1), "text_fr"),
    ("GCS-2026-05", FR, "", (2026, 5, 1), "text_en"),
    ("GCS-2026-05", FR, EN, (2026, 3, 31), "effective_at"),  # in the past
    ("GCS-2026-05", FR, EN, (2026, 4, 10), "effective_at"),  # before the latest version's date
    ("gcs-2026-04", FR, EN, (2026, 5, 1), "version"),  # already used
])
def test_publishing_refuses_bad_versions_and_keeps_nothing(db, clock, version, fr, en, when, field) -> None:
    clock(paris(2026, 4, 1, 9))
    publish("GCS-2026-04", paris(2026, 4, 20), now=paris(2026, 4, 1, 9))
    count = TermsVersion.objects.count()
    with pytest.raises(TermsVersionError) as refused:
        services.terms_version_publish(version=version, text_fr=fr, text_en=en, effective_at=paris(*when))
    assert refused.value.code == "invalid_terms_version" and field in refused.value.details
    assert TermsVersion.objects.count() == count


def test_a_quote_keeps_the_version_it_was_sent_with_and_the_signature_carries_its_hash(quote_sent, clock) -> None:
    clock(paris(2026, 3, 1, 10))
    march = publish("GCS-2026-03", paris(2026, 3, 1, 10))
    april = publish("GCS-2026-04", paris(2026, 4, 1, 0), now=paris(2026, 3, 1, 10))
    sent_in_march = quote_sent(slug="tours", valid_until=date(2026, 4, 30))
    clock(paris(2026, 3, 31, 23, 59))
    also_march = quote_sent(slug="blois")
    clock(paris(2026, 4, 1, 0, 0))
    sent_in_april = quote_sent(slug="orleans")
    assert [q.terms_id for q in (sent_in_march, also_march, sent_in_april)] == [march.pk, march.pk, april.pk]
    assert sent_in_march.terms_version == "GCS-2026-03" and sent_in_april.terms_version == "GCS-2026-04"
    clock(paris(2026, 4, 2, 9))
    services.quote_send(quote=Quote.objects.get(pk=sent_in_march.pk), signing_base_url="http://localhost:8000")
    assert Quote.objects.get(pk=sent_in_march.pk).terms_id == march.pk  # sending again changes nothing
    sign(Quote.objects.get(pk=sent_in_march.pk))
    signature = QuoteSignature.objects.get(quote=sent_in_march)
    assert (signature.terms_version, signature.terms_sha256, signature.document_sha256) == (
        "GCS-2026-03", march.sha256, Quote.objects.get(pk=sent_in_march.pk).pdf_sha256)
    event = AuditEvent.objects.get(action="quote.signed")
    assert (event.after["terms_version"], event.after["terms_sha256"]) == ("GCS-2026-03", march.sha256)


def test_signer_and_contact_receive_the_signed_order_with_both_pdfs_in_their_language(
        quote_sent, clock, django_capture_on_commit_callbacks) -> None:
    clock(paris(2026, 3, 1, 10))
    terms = publish("GCS-2026-03", paris(2026, 3, 1, 10))
    quote = quote_sent(language="fr")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign(quote)  # signer claire@tours.example is also the contact: one message
    [message] = [m for m in mail.outbox if m.attachments]
    assert message.to == ["claire@tours.example"]
    assert message.subject == f"Votre commande signée {quote.reference} — Université de Tours"
    assert f"Le devis {quote.reference} a été signé par Claire Martin le 2026-03-01 09:00 (UTC)" in message.body
    assert f"Conditions générales de vente: GCS-2026-03 — SHA-256 {terms.sha256}" in message.body
    names = [name for name, _content, _type in message.attachments]
    assert names == [f"{quote.reference}.pdf", "terms-of-sale-GCS-2026-03.pdf"]
    signed = Quote.objects.get(pk=quote.pk)
    assert hashlib.sha256(message.attachments[0][1]).hexdigest() == signed.pdf_sha256
    assert hashlib.sha256(message.attachments[1][1]).hexdigest() == terms.sha256
    assert message.alternatives[0][1] == "text/html" and "<code>" + terms.sha256 in message.alternatives[0][0]


def test_signer_other_than_the_contact_gets_it_too(quote_sent, clock, django_capture_on_commit_callbacks) -> None:
    clock(paris(2026, 3, 1, 10))
    publish("GCS-2026-03", paris(2026, 3, 1, 10))
    quote = quote_sent(language="en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.quote_sign(token=quote.token, signer_name="Paul Durand", signer_title="CFO",
                            signer_email="Paul@Tours.example", accept_terms=True)
    [message] = [m for m in mail.outbox if m.attachments]
    assert message.to == ["claire@tours.example", "paul@tours.example"]
    assert message.subject == f"Your signed order {quote.reference} — Université de Tours"


def test_a_new_version_is_announced_once_to_the_administrators_of_live_customers(quote_sent, clock, demo) -> None:
    clock(paris(2026, 3, 1, 10))
    live = sign(quote_sent(slug="tours")).tenant
    gone = sign(quote_sent(slug="blois")).tenant
    Tenant.objects.filter(pk=gone.pk).update(state=Tenant.State.RETENTION)
    Tenant.objects.filter(pk=live.pk).update(language="fr")
    terms = publish("GCS-2026-06", paris(2026, 6, 1), now=paris(2026, 3, 1, 10))
    mail.outbox.clear()
    result = services.terms_announcements_send(terms_id=terms.pk)
    assert result.failed == 0
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert ("claire@blois.example",) not in by_recipient
    french = by_recipient[("claire@tours.example",)]
    assert french.subject == "Nouvelles conditions générales de vente : version GCS-2026-06"
    assert "en vigueur à partir du 1 juin 2026" in french.body and "reste régi par les conditions" in french.body
    assert french.attachments[0][0] == "terms-of-sale-GCS-2026-06.pdf"
    english = by_recipient[("admin@demo.test",)]
    assert "It applies to orders (quotes) sent from that date only" in english.body
    assert TermsAnnouncement.objects.filter(terms=terms, sent_at__isnull=False).count() == result.sent
    mail.outbox.clear()
    again = services.terms_announcements_send(terms_id=terms.pk)
    assert (again.created, again.sent, mail.outbox) == (0, 0, [])


def _admin_client(tenant: Tenant, email: str) -> Client:
    Tenant.objects.filter(pk=tenant.pk).update(language="en")
    tenant_cache_clear()
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    with schema_context(tenant.schema_name):
        User.objects.filter(email=email).update(language="en")
        client.force_login(User.objects.get(email=email))
    connection.set_schema_to_public()
    return client


def test_billing_page_lists_the_signed_orders_with_their_evidence_and_documents(quote_sent, clock) -> None:
    clock(paris(2026, 3, 1, 10))
    terms = publish("GCS-2026-03", paris(2026, 3, 1, 10))
    signed = sign(quote_sent(slug="tours"))
    other = sign(quote_sent(slug="blois"))
    quote = Quote.objects.get(pk=signed.subscription.quote_id)
    client = _admin_client(signed.tenant, "claire@tours.example")
    page = client.get("/billing/").content.decode()
    assert page.count('data-testid="orders"') == 1  # once, in the page's body (not in its <title>)
    assert "<title>Billing</title>" in page
    section = page[page.index('data-testid="orders"'):]
    assert f"{quote.reference} — signed on March 1, 2026" in section
    assert "Claire Martin, Présidente (claire@tours.example)" in section and "203.0.113.7" in section
    assert quote.pdf_sha256 in section and f"GCS-2026-03 — <span class=\"hash\">SHA-256 {terms.sha256}" in section
    pdf = client.get(f"/billing/orders/{quote.pk}/pdf/")
    assert hashlib.sha256(pdf.content).hexdigest() == quote.pdf_sha256
    terms_pdf = client.get(f"/billing/orders/{quote.pk}/terms/pdf/")
    assert hashlib.sha256(terms_pdf.content).hexdigest() == terms.sha256
    assert client.get(f"/billing/orders/{other.subscription.quote_id}/pdf/").status_code == 404


@pytest.mark.parametrize(("language", "heading", "text", "print_link"), [
    ("en", "Terms and conditions", "The signed quote is a definitive order.", "Printable version"),
    ("fr", "Conditions générales de vente", "Le devis signé vaut commande définitive.", "Version imprimable"),
])
def test_signing_page_shows_the_terms_text_printable_and_as_pdf(quote_sent, clock, language, heading, text,
                                                                print_link) -> None:
    clock(paris(2026, 3, 1, 10))
    terms = publish("GCS-2026-03", paris(2026, 3, 1, 10))
    quote = quote_sent()
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=language)
    page = client.get(f"/quotes/sign/{quote.token}/").content.decode()
    terms_block = page[page.index('data-testid="terms-text"'):]
    assert f"{heading} (GCS-2026-03)" in page and text in terms_block and print_link in page
    printable = client.get(f"/quotes/sign/{quote.token}/terms/").content.decode()
    assert text in printable and terms.sha256 in printable
    pdf = client.get(f"/quotes/sign/{quote.token}/terms/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and hashlib.sha256(pdf.content).hexdigest() == terms.sha256
    assert client.get("/quotes/sign/nope/terms/pdf/").status_code == 404
