"""The quote PDF (its SHA-256 is what the customer signs, SPEC R5)."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..models import Quote
from .layout import _document, _lines_table, _para, _parties


def quote_pdf_render(*, quote: Quote) -> bytes:
    """The quote as signed: parties, lines (EUR excl. tax, GCS art. 11), terms version, validity."""
    from ..services import seller_snapshot

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
    if quote.terms_id:  # SPEC R22: the document signed names the exact terms accepted with it
        story.append(_para(f"SHA-256 du PDF des conditions / of the terms PDF: {quote.terms.sha256}"))
    return _document(title=f"Quote {quote.reference}", story=story)
