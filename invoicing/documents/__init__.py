"""PDF documents of the invoicing app (reportlab): quotes, and invoices with their Factur-X XML embedded
(profile BASIC WL), as French e-invoicing requires. Rendering is deterministic (`invariant`)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

import facturx
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import Invoice, Quote

FACTURX_PROFILE = "basicwl"


def _eur(amount: Decimal) -> str:
    return f"{amount:,.2f} €".replace(",", " ")


def _para(text: str, style: str = "Normal") -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), getSampleStyleSheet()[style])


def _document(*, title: str, story: list) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="MOOCit SAS", invariant=1,
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    doc.build(story)
    return buffer.getvalue()


def _parties(*, seller: dict, buyer: dict) -> Table:
    seller_text = (f"{seller['name']}\n{seller.get('legal_form', '')}\n{seller.get('address', '')}\n"
                   f"{seller.get('registration', '')} — SIREN {seller.get('siren', '')}\n"
                   f"TVA / VAT: {seller.get('vat_number', '')}")
    buyer_text = f"{buyer['name']}\n{buyer.get('address', '')}\n{buyer.get('country', '')}"
    if buyer.get("siren"):
        buyer_text += f"\nSIREN {buyer['siren']}"
    if buyer.get("vat_number"):
        buyer_text += f"\nTVA / VAT: {buyer['vat_number']}"
    table = Table([[_para("Vendeur / Seller", "Heading4"), _para("Client / Buyer", "Heading4")],
                   [_para(seller_text), _para(buyer_text)]], colWidths=[87 * mm, 87 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _lines_table(rows: list[tuple[str, Decimal, Decimal, Decimal]], totals: list[tuple[str, Decimal]]) -> Table:
    data = [["Désignation / Description", "Qté", "P.U. HT", "Montant HT"]]
    data += [[_para(d), f"{q:g}", _eur(u), _eur(a)] for d, q, u, a in rows]
    data += [["", "", label, _eur(value)] for label, value in totals]
    table = Table(data, colWidths=[96 * mm, 16 * mm, 30 * mm, 32 * mm])
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEABOVE", (2, len(rows) + 1), (-1, len(rows) + 1), 0.5, colors.black),
    ]))
    return table


# --- Quote -----------------------------------------------------------------------------------------


def quote_pdf_render(*, quote: Quote) -> bytes:
    """The quote as signed: parties, lines (EUR excl. tax, GCS art. 11), terms version, validity."""
    from .services import seller_snapshot

    lines = list(quote.lines.all())
    total_recurring = sum((line.amount for line in lines if line.kind == "recurring"), Decimal("0.00"))
    total_first = sum((line.amount for line in lines), Decimal("0.00"))
    story = [
        _para(f"Devis / Quote {quote.reference}", "Title"),
        _para(f"Date: {quote.created_at:%Y-%m-%d} — valable jusqu'au / valid until {quote.valid_until:%Y-%m-%d}"),
        Spacer(1, 4 * mm),
        _parties(seller=seller_snapshot(), buyer={"name": quote.organisation_name, "address": quote.billing_address,
                                                  "country": quote.country, "vat_number": quote.vat_number,
                                                  "siren": quote.siren}),
        Spacer(1, 4 * mm),
        _para(f"Contact: {quote.contact_name} <{quote.contact_email}> — adresse / address: "
              f"{quote.wished_slug}.<platform>"),
        _para(f"Facturation / billing: {quote.get_billing_period_display()}, à échoir / in advance; "
              f"{quote.seats} sièges / seats; stockage / storage {quote.storage_quota_bytes // 1024**3} GB; "
              f"domaines personnalisés / custom domains: {'oui / yes' if quote.custom_domains_allowed else 'non / no'}"
              "; "
              f"période initiale / initial period: {quote.initial_term_months} mois / months."),
        Spacer(1, 4 * mm),
        _lines_table([(line.description, line.quantity, line.unit_price, line.amount) for line in lines],
                     [("Par période HT / per period excl. tax", total_recurring),
                      ("1re facture HT / first invoice excl. tax", total_first)]),
        Spacer(1, 4 * mm),
        _para("Prix en euros hors taxes, majorés des taxes en vigueur à la date de facturation (CGV art. 11). "
              "Prices in EUR excluding tax; taxes in force on the invoice date are added."),
        _para(f"Conditions générales de vente / terms: version {quote.terms_version}. Le devis signé vaut commande "
              "définitive et ne peut être rétracté / the signed quote is a definitive order and cannot be retracted."),
    ]
    return _document(title=f"Quote {quote.reference}", story=story)


# --- Invoice ---------------------------------------------------------------------------------------

TITLES = {
    Invoice.Kind.INVOICE: "Facture / Invoice",
    Invoice.Kind.CREDIT_NOTE: "Avoir / Credit note",
    Invoice.Kind.PRO_FORMA: "Facture pro forma / Pro forma invoice",
}


def invoice_pdf_visual(*, invoice: Invoice) -> bytes:
    lines = list(invoice.lines.all())
    vat_label = f"TVA / VAT {invoice.vat_rate} %"
    story = [
        _para(f"{TITLES[invoice.kind]} {invoice.number or ''}".strip(), "Title"),
        _para(f"Date: {invoice.issue_date:%d/%m/%Y} — échéance / due: {invoice.due_date:%d/%m/%Y}"
              + (f" — période / period: {invoice.period_start:%d/%m/%Y} – {invoice.period_end:%d/%m/%Y}"
                 if invoice.period_start and invoice.period_end else "")),
    ]
    if invoice.kind == Invoice.Kind.PRO_FORMA:
        story.append(_para("Document sans valeur comptable / not a tax invoice."))
    if invoice.credited_invoice_id:
        story.append(_para(f"Avoir sur la facture / credit note for invoice {invoice.credited_invoice.number}"))
    story += [
        Spacer(1, 4 * mm),
        _parties(seller=invoice.seller, buyer=invoice.buyer),
        Spacer(1, 4 * mm),
        _lines_table([(line.description, line.quantity, line.unit_price, line.amount) for line in lines],
                     [("Total HT / excl. tax", invoice.total_excl_tax), (vat_label, invoice.total_vat),
                      ("Total TTC / incl. tax", invoice.total_incl_tax)]),
        Spacer(1, 4 * mm),
    ]
    if invoice.vat_mention:
        story.append(_para(invoice.vat_mention))
    if invoice.recovery_indemnity or invoice.late_interest:
        story.append(_para(f"Indemnité forfaitaire de recouvrement / recovery indemnity: "
                           f"{_eur(invoice.recovery_indemnity)}; intérêts de retard / late interest: "
                           f"{_eur(invoice.late_interest)}"))
    story.append(_para(invoice.legal_mentions))
    if invoice.seller.get("iban"):
        story.append(_para(f"Virement / bank transfer: IBAN {invoice.seller['iban']} — référence: {invoice.number}"))
    return _document(title=f"{TITLES[invoice.kind]} {invoice.number or ''}", story=story)


def _d(day: date) -> str:
    return f'<udt:DateTimeString format="102">{day:%Y%m%d}</udt:DateTimeString>'


def _a(amount: Decimal) -> str:
    return f"{abs(amount):.2f}"


VAT_CATEGORY = {"fr": ("S", "", ""),
                "reverse_charge": ("AE", "Autoliquidation / Reverse charge", "VATEX-EU-AE"),
                "export": ("G", "Export outside the EU", "VATEX-EU-G"),
                "oss": ("S", "", "")}  # standard-rated, at the buyer's member state's rate


def invoice_facturx_xml(*, invoice: Invoice) -> bytes:
    """The invoice as a Cross-Industry Invoice, Factur-X profile BASIC WL (header-level data)."""
    seller, buyer = invoice.seller, invoice.buyer
    category, reason, reason_code = VAT_CATEGORY[invoice.vat_scheme]
    type_code = "381" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "380"
    buyer_vat = (f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{escape(buyer["vat_number"])}</ram:ID>'
                 "</ram:SpecifiedTaxRegistration>") if buyer.get("vat_number") else ""
    buyer_siren = (f'<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{escape(buyer["siren"])}</ram:ID>'
                   "</ram:SpecifiedLegalOrganization>") if buyer.get("siren") else ""
    exemption = (f"<ram:ExemptionReason>{escape(reason)}</ram:ExemptionReason>" if reason else "")
    exemption_code = f"<ram:ExemptionReasonCode>{reason_code}</ram:ExemptionReasonCode>" if reason_code else ""
    period = (f"<ram:BillingSpecifiedPeriod><ram:StartDateTime>{_d(invoice.period_start)}</ram:StartDateTime>"
              f"<ram:EndDateTime>{_d(invoice.period_end)}</ram:EndDateTime></ram:BillingSpecifiedPeriod>"
              if invoice.period_start and invoice.period_end else "")
    referenced = (f"<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{escape(invoice.credited_invoice.number)}"
                  f"</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>" if invoice.credited_invoice_id else "")
    iban = (seller.get("iban") or "").replace(" ", "")
    means = (f"<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode>"
             f"<ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{escape(iban)}</ram:IBANID>"
             f"</ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>" if iban else "")
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" \
xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" \
xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" \
xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>\
<ram:ID>urn:factur-x.eu:1p0:basicwl</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>\
</rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>{escape(invoice.number or "")}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>\
<ram:IssueDateTime>{_d(invoice.issue_date)}</ram:IssueDateTime>\
<ram:IncludedNote><ram:Content>{escape(invoice.legal_mentions)}</ram:Content><ram:SubjectCode>PMT</ram:SubjectCode>\
</ram:IncludedNote></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>
<ram:ApplicableHeaderTradeAgreement>
<ram:SellerTradeParty><ram:Name>{escape(seller["name"])}</ram:Name>\
<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{escape(seller.get("siren", ""))}</ram:ID>\
</ram:SpecifiedLegalOrganization>\
<ram:PostalTradeAddress><ram:LineOne>{escape(seller.get("address", ""))}</ram:LineOne>\
<ram:CountryID>{seller.get("country", "FR")}</ram:CountryID></ram:PostalTradeAddress>\
<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{escape(seller.get("vat_number", ""))}</ram:ID>\
</ram:SpecifiedTaxRegistration></ram:SellerTradeParty>
<ram:BuyerTradeParty><ram:Name>{escape(buyer["name"])}</ram:Name>{buyer_siren}\
<ram:PostalTradeAddress><ram:LineOne>{escape(buyer.get("address", "").replace(chr(10), ", "))}</ram:LineOne>\
<ram:CountryID>{escape(buyer["country"])}</ram:CountryID></ram:PostalTradeAddress>{buyer_vat}</ram:BuyerTradeParty>
</ram:ApplicableHeaderTradeAgreement>
<ram:ApplicableHeaderTradeDelivery/>
<ram:ApplicableHeaderTradeSettlement>
<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>{means}
<ram:ApplicableTradeTax><ram:CalculatedAmount>{_a(invoice.total_vat)}</ram:CalculatedAmount>\
<ram:TypeCode>VAT</ram:TypeCode>{exemption}<ram:BasisAmount>{_a(invoice.total_excl_tax)}</ram:BasisAmount>\
<ram:CategoryCode>{category}</ram:CategoryCode>{exemption_code}\
<ram:RateApplicablePercent>{invoice.vat_rate:.2f}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
{period}<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>{_d(invoice.due_date)}</ram:DueDateDateTime>\
</ram:SpecifiedTradePaymentTerms>
<ram:SpecifiedTradeSettlementHeaderMonetarySummation>\
<ram:LineTotalAmount>{_a(invoice.total_excl_tax)}</ram:LineTotalAmount>\
<ram:TaxBasisTotalAmount>{_a(invoice.total_excl_tax)}</ram:TaxBasisTotalAmount>\
<ram:TaxTotalAmount currencyID="EUR">{_a(invoice.total_vat)}</ram:TaxTotalAmount>\
<ram:GrandTotalAmount>{_a(invoice.total_incl_tax)}</ram:GrandTotalAmount>\
<ram:DuePayableAmount>{_a(invoice.total_incl_tax)}</ram:DuePayableAmount>\
</ram:SpecifiedTradeSettlementHeaderMonetarySummation>{referenced}
</ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""
    return xml.encode("utf-8")


def invoice_pdf_render(*, invoice: Invoice) -> bytes:
    """The invoice PDF. Numbered documents carry their Factur-X XML (checked against the profile's XSD);
    a pro forma has no number and no accounting value, so it has none."""
    pdf = invoice_pdf_visual(invoice=invoice)
    if invoice.kind == Invoice.Kind.PRO_FORMA:
        return pdf
    return facturx.generate_from_binary(pdf, invoice_facturx_xml(invoice=invoice), flavor="factur-x",
                                        level=FACTURX_PROFILE, check_xsd=True,
                                        lang="fr-FR", pdf_metadata={
                                            "author": invoice.seller["name"],
                                            "keywords": "Factur-X, Invoice",
                                            "title": f"{invoice.seller['name']}: {invoice.number}",
                                            "subject": f"{TITLES[invoice.kind]} {invoice.number}"})
