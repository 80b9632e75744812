"""The invoice and credit note PDF (SPEC R8): the visual document with its Factur-X XML embedded."""

from __future__ import annotations

import facturx
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..models import Invoice
from .factur_x import FACTURX_PROFILE, invoice_facturx_xml
from .layout import _document, _eur, _lines_table, _para, _parties

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
