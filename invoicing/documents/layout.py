"""The page layout every PDF shares: amounts, paragraphs, the parties block and the lines table."""

from __future__ import annotations

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from mooc_platform.formatting import localized


def _eur(amount: Decimal) -> str:
    """Amounts of the bilingual documents are written the French way: `1 234,56 €`."""
    return localized(amount, "money", language="fr")


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
