"""Invoice documents: VAT by buyer, French B2B mentions, PDF on S3 with its Factur-X XML (SPEC R8)."""

from __future__ import annotations

import io
from decimal import Decimal

import facturx
from lxml import etree
from pypdf import PdfReader

from invoicing import services
from invoicing.models import Invoice
from mooc_platform import storage
from tests.invoicing.helpers import paris, sign

RSM = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}"
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


def test_intra_eu_buyer_with_vat_number_is_invoiced_under_reverse_charge(quote_sent, clock) -> None:
    clock(paris(2026, 4, 1, 9))
    invoice = sign(quote_sent(country="DE", vat_number="DE 136 695 976")).invoice

    assert invoice.buyer["vat_number"] == "DE136695976"
    assert (invoice.vat_scheme, invoice.vat_rate) == ("reverse_charge", Decimal("0.00"))
    assert (invoice.total_vat, invoice.total_incl_tax) == (Decimal("0.00"), Decimal("240.00"))
    assert "Autoliquidation" in invoice.vat_mention and "Reverse charge" in invoice.vat_mention


def test_buyer_outside_the_eu_pays_no_vat(quote_sent, clock) -> None:
    clock(paris(2026, 4, 1, 9))
    invoice = sign(quote_sent(country="CH")).invoice
    assert (invoice.vat_scheme, invoice.total_vat, invoice.total_incl_tax) == (
        "export", Decimal("0.00"), Decimal("240.00"))
    assert "259-1" in invoice.vat_mention


def test_french_vat_is_the_rate_in_force_on_the_invoice_date() -> None:
    from datetime import date

    from invoicing.vat import vat_treatment

    assert vat_treatment(country="FR", vat_number="", on=date(2013, 12, 31)).rate == Decimal("19.60")
    assert vat_treatment(country="FR", vat_number="", on=date(2014, 1, 1)).rate == Decimal("20.00")


def test_invoice_snapshot_carries_seller_buyer_and_the_french_b2b_mentions(quote_sent, clock, settings) -> None:
    clock(paris(2026, 1, 15, 9))
    invoice = sign(quote_sent()).invoice
    assert invoice.seller["name"] == "MOOCit SAS" and invoice.seller["vat_number"] == "FR61810156497"
    assert invoice.seller["registration"] == "RCS Orléans 810 156 497"
    assert invoice.buyer["name"] == "Université de Tours"
    assert "Date d'échéance : 14/02/2026" in invoice.legal_mentions
    assert "taux annuel de 12,15 %" in invoice.legal_mentions
    assert "indemnité forfaitaire pour frais de recouvrement de quarante euros (40,00 €)" in invoice.legal_mentions
    # Frozen: changing the seller settings does not touch an issued invoice.
    settings.INVOICING_SELLER = {**settings.INVOICING_SELLER, "name": "Someone Else"}
    assert Invoice.objects.get(pk=invoice.pk).seller["name"] == "MOOCit SAS"


def test_invoice_pdf_is_stored_on_s3_with_its_factur_x_xml_embedded(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    invoice = sign(quote_sent()).invoice

    key = services.invoice_pdf_ensure(invoice=invoice)

    assert key == "invoices/F2026-000001.pdf"
    pdf = storage.object_get(key=key)
    filename, xml = facturx.get_facturx_xml_from_pdf(io.BytesIO(pdf), check_xsd=True)
    assert filename == "factur-x.xml"
    assert facturx.get_level(etree.fromstring(xml)) == "basicwl"
    root = etree.fromstring(xml)
    assert root.findtext(f"{RSM}ExchangedDocument/{RAM}ID") == "F2026-000001"
    assert root.findtext(f".//{RAM}GrandTotalAmount") == "288.00"
    assert root.findtext(f".//{RAM}TaxTotalAmount") == "48.00"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "F2026-000001" in text and "quarante euros" in text
    assert Invoice.objects.get(pk=invoice.pk).pdf_key == key


def test_credit_note_pdf_carries_a_381_factur_x(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    invoice = sign(quote_sent(country="DE", vat_number="DE136695976")).invoice
    note = services.credit_note_issue(invoice=invoice, reason="error")
    _, xml = facturx.get_facturx_xml_from_pdf(io.BytesIO(storage.object_get(
        key=services.invoice_pdf_ensure(invoice=note))), check_xsd=True)
    root = etree.fromstring(xml)
    assert root.findtext(f".//{RAM}TypeCode") == "381"
    assert root.findtext(f".//{RAM}CategoryCode") == "AE"


def test_pro_forma_has_no_number_and_consumes_none(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    quote = quote_sent()
    pro_forma = services.invoice_pro_forma_issue(quote=quote)
    assert (pro_forma.number, pro_forma.kind, pro_forma.total_incl_tax) == (None, "pro_forma", Decimal("288.00"))
    assert pro_forma.balance_due == Decimal("0.00")
    assert services.invoice_pdf_ensure(invoice=pro_forma) == f"invoices/pro-forma-{pro_forma.pk}.pdf"
    assert sign(quote).invoice.number == "F2026-000001"


def test_invoices_are_delivered_once_with_a_link_to_the_billing_page(quote_sent, clock, mailoutbox,
                                                                     django_capture_on_commit_callbacks) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invoices_deliver() == 1
        assert services.invoices_deliver() == 0
    invoice = Invoice.objects.get(pk=result.invoice.pk)
    assert invoice.pdf_key == "invoices/F2026-000001.pdf" and invoice.delivered_at == paris(2026, 1, 15, 9)
    assert [m.subject for m in mailoutbox] == ["Facture F2026-000001 — MOOCit SAS"]
    link = services.tenant_billing_url(tenant=result.tenant)
    assert link.startswith("http") and f"//{result.tenant.slug}.localhost" in link and link.endswith("/billing/")
    assert link in mailoutbox[0].body


def test_database_refuses_to_edit_or_delete_an_issued_invoice_or_a_signed_quote(quote_sent, clock) -> None:
    import pytest
    from django.db import IntegrityError, InternalError, transaction

    from invoicing.models import InvoiceLine, Quote, QuoteLine

    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    attempts = [
        lambda: Invoice.objects.filter(pk=result.invoice.pk).update(total_excl_tax=Decimal("1.00")),
        lambda: Invoice.objects.filter(pk=result.invoice.pk).update(buyer={"name": "Someone else"}),
        lambda: InvoiceLine.objects.filter(invoice=result.invoice).update(amount=Decimal("1.00")),
        lambda: Quote.objects.filter(pk=result.subscription.quote_id).update(seats=1),
        lambda: QuoteLine.objects.filter(quote_id=result.subscription.quote_id).update(unit_price=Decimal("0.00")),
    ]
    for attempt in attempts:
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            attempt()
    # What is not the document stays writable: payments, dunning dates, the PDF key.
    assert Invoice.objects.filter(pk=result.invoice.pk).update(pdf_key="invoices/x.pdf") == 1


def test_french_buyer_siren_is_printed_and_in_the_factur_x(quote_sent, clock) -> None:
    import pytest

    from invoicing.vat import InvalidVatNumberError

    clock(paris(2026, 1, 15, 9))
    with pytest.raises(InvalidVatNumberError, match="SIREN is not valid"):
        quote_sent(siren="193700825")
    invoice = sign(quote_sent(siren="130 002 132")).invoice
    assert invoice.buyer["siren"] == "130002132"
    _, xml = facturx.get_facturx_xml_from_pdf(io.BytesIO(storage.object_get(
        key=services.invoice_pdf_ensure(invoice=invoice))), check_xsd=True)
    assert b'<ram:ID schemeID="0002">130002132</ram:ID>' in xml


def test_invoice_email_attaches_the_factur_x_pdf_stored_on_s3(quote_sent, clock, mailoutbox,
                                                               django_capture_on_commit_callbacks) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invoices_deliver() == 1
    message = mailoutbox[0]
    assert [(name, mimetype) for name, _, mimetype in message.attachments] == [
        ("F2026-000001.pdf", "application/pdf")]
    pdf = message.attachments[0][1]
    assert pdf == storage.object_get(key="invoices/F2026-000001.pdf")  # the stored document, byte for byte
    assert pdf.startswith(b"%PDF-")
    filename, xml = facturx.get_facturx_xml_from_pdf(io.BytesIO(pdf), check_xsd=True)
    assert filename == "factur-x.xml"
    root = etree.fromstring(xml)
    assert root.findtext(f"{RSM}ExchangedDocument/{RAM}ID") == "F2026-000001"
    assert root.findtext(f".//{RAM}GrandTotalAmount") == "288.00"
    assert services.tenant_billing_url(tenant=result.tenant) in message.body  # the link stays
    assert "jointe" in message.body


def test_reminder_and_formal_notice_attach_the_invoice_pdf(quote_sent, clock, mailoutbox,
                                                           django_capture_on_commit_callbacks) -> None:
    clock(paris(2026, 1, 15, 9))
    sign(quote_sent())
    for day in (paris(2026, 2, 8, 9), paris(2026, 2, 14, 9)):  # 6 days before the due date, then on it
        clock(day)
        with django_capture_on_commit_callbacks(execute=True):
            services.dunning_run()
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        (name, pdf, mimetype), = message.attachments
        assert (name, mimetype) == ("F2026-000001.pdf", "application/pdf")
        assert facturx.get_facturx_xml_from_pdf(io.BytesIO(pdf))[0] == "factur-x.xml"
