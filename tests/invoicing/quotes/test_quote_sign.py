"""Quote → signature → subscription, tenant and first invoice (SPEC R4–R6)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.test import Client

from invoicing import services
from invoicing.models import Invoice, Quote, QuoteSignature, Subscription
from mooc_platform import storage
from tenants.models import Tenant
from tests.invoicing.helpers import paris, sign


def test_signed_quote_provisions_a_live_tenant_and_issues_invoice_f2026_000001(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 10, 30))
    quote = quote_sent(slug="univ-tours")

    result = sign(quote)

    assert result.tenant.slug == "univ-tours" and result.tenant.state == Tenant.State.ACTIVE
    page = Client(HTTP_HOST="univ-tours.localhost").get("/")
    assert page.status_code == 200 and b"Universit" in page.content
    invoice = result.invoice
    assert invoice.number == "F2026-000001"
    assert invoice.total_excl_tax == Decimal("240.00")
    assert invoice.vat_rate == Decimal("20.00") and invoice.total_vat == Decimal("48.00")
    assert invoice.total_incl_tax == Decimal("288.00")
    assert (str(invoice.issue_date), str(invoice.due_date)) == ("2026-01-15", "2026-02-14")
    assert (str(invoice.period_start), str(invoice.period_end)) == ("2026-01-15", "2026-02-15")
    assert result.subscription.next_period_start.isoformat() == "2026-02-15"
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SIGNED


def test_signature_keeps_the_evidence_with_the_hash_of_the_exact_pdf(quote_sent, clock) -> None:
    clock(paris(2026, 3, 2, 11))
    quote = quote_sent()
    pdf = storage.object_get(key=quote.pdf_key)

    sign(quote)

    evidence = QuoteSignature.objects.get(quote=quote)
    assert evidence.document_sha256 == hashlib.sha256(pdf).hexdigest() == quote.pdf_sha256
    assert (evidence.ip_address, evidence.user_agent, evidence.signer_title) == ("203.0.113.7", "pytest", "Présidente")
    assert evidence.signed_at == paris(2026, 3, 2, 11)
    assert evidence.terms_version == quote.terms_version


def test_second_signature_is_refused_and_makes_no_second_tenant(quote_sent) -> None:
    quote = quote_sent()
    sign(quote)

    with pytest.raises(services.QuoteAlreadySignedError):
        sign(quote)

    assert Tenant.objects.filter(slug=quote.wished_slug).count() == 1
    assert Subscription.objects.filter(quote=quote).count() == 1
    assert Invoice.objects.filter(subscription__quote=quote).count() == 1


def test_signed_quote_cannot_be_edited_sent_or_withdrawn(quote_sent) -> None:
    quote = quote_sent()
    sign(quote)

    with pytest.raises(services.QuoteFrozenError):
        services.quote_update(quote=quote, seats=10)
    with pytest.raises(services.QuoteFrozenError):
        services.quote_send(quote=quote, signing_base_url="http://localhost")
    with pytest.raises(services.QuoteFrozenError):
        services.quote_withdraw(quote=quote)
    assert Quote.objects.get(pk=quote.pk).seats == 50


def test_expired_quote_cannot_be_signed(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    quote = quote_sent()
    assert str(quote.valid_until) == "2026-02-14"

    clock(paris(2026, 2, 14, 23, 59))  # last day, Paris time: still signable? checked below with a copy
    services.quote_signable_check(quote=quote)
    clock(paris(2026, 2, 15, 0, 0))
    with pytest.raises(services.QuoteExpiredError):
        sign(quote)
    assert not Tenant.objects.filter(slug=quote.wished_slug).exists()


def test_withdrawn_quote_cannot_be_signed(quote_sent) -> None:
    quote = quote_sent()
    services.quote_withdraw(quote=quote)
    with pytest.raises(services.QuoteNotSignableError):
        sign(quote)


def test_signing_requires_explicit_acceptance_of_the_terms(quote_sent) -> None:
    quote = quote_sent()
    with pytest.raises(services.TermsNotAcceptedError):
        services.quote_sign(token=quote.token, signer_name="A", signer_title="B", signer_email="a@b.example",
                            accept_terms=False)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT


def test_failed_provisioning_rolls_back_the_signature_and_can_be_retried(quote_sent, demo) -> None:
    quote = quote_sent()
    Quote.objects.filter(pk=quote.pk).update(wished_slug="demo")  # taken meanwhile

    with pytest.raises(Exception, match="already taken"):
        sign(quote)

    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    assert not QuoteSignature.objects.filter(quote=quote).exists()
    assert not Subscription.objects.filter(quote=quote).exists()


def test_invalid_vat_number_is_refused_when_quoting(quote_sent) -> None:
    from invoicing.vat import InvalidVatNumberError

    with pytest.raises(InvalidVatNumberError):
        quote_sent(country="DE", vat_number="DE123456789")


def test_revised_quote_is_superseded_and_its_link_refused(quote_sent) -> None:
    quote = quote_sent()
    draft = services.quote_revise(quote=quote)
    assert (draft.status, draft.supersedes_id, draft.wished_slug) == (Quote.Status.DRAFT, quote.pk, quote.wished_slug)
    with pytest.raises(services.QuoteNotSignableError, match="superseded"):
        sign(quote)
    services.quote_update(quote=draft, seats=80)
    assert sum(line.amount for line in Quote.objects.get(pk=draft.pk).lines.all()) == Decimal("324.00")


def test_signature_of_a_document_that_changed_is_refused(quote_sent) -> None:
    quote = quote_sent()
    with pytest.raises(services.DocumentChangedError):
        sign(quote, document_sha256="0" * 64)


def test_quotes_past_their_validity_date_are_marked_expired(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    quote = quote_sent()
    clock(paris(2026, 2, 15, 6))
    assert services.quotes_expire() == 1
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.EXPIRED
    with pytest.raises(services.QuoteExpiredError):
        sign(quote)


def test_signing_page_double_click_shows_the_signed_page_twice_and_makes_one_tenant(quote_sent) -> None:
    quote = quote_sent()
    client = Client(HTTP_HOST="localhost")
    form = {"signer_name": "Claire Martin", "signer_title": "Présidente", "signer_email": "claire@tours.example",
            "accept_terms": "on", "document_sha256": quote.pdf_sha256}
    first = client.post(f"/quotes/sign/{quote.token}/", form)
    second = client.post(f"/quotes/sign/{quote.token}/", form)
    assert b"the quote is signed" in first.content and b"the quote is signed" in second.content
    assert b"F20" in second.content
    assert Tenant.objects.filter(slug=quote.wished_slug).count() == 1
    other = client.post(f"/quotes/sign/{quote.token}/", {**form, "signer_email": "someone@else.example"})
    assert other.status_code == 409 and b"already signed" in other.content
