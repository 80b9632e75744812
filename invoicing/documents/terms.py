"""The terms of sale PDF (SPEC R22): the French and the English text of one version, with its effective date.
Deterministic (`invariant`): the same version always renders the same bytes, so its SHA-256 identifies it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer

from .layout import _document, _para

PARIS = ZoneInfo("Europe/Paris")


def _paragraphs(text: str) -> list:
    story: list = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            story += [_para(block.strip()), Spacer(1, 2 * mm)]
    return story


def terms_pdf_render(*, version: str, effective_at: object, text_fr: str, text_en: str, seller_name: str) -> bytes:
    """The PDF of a terms version: French text first (the version of reference), then the English one."""
    effective = effective_at.astimezone(PARIS)  # type: ignore[attr-defined]
    story = [
        _para(f"Conditions générales de vente — {seller_name}", "Title"),
        _para(f"Version {version}, en vigueur à compter du {effective:%d/%m/%Y %H:%M} (heure de Paris)."),
        Spacer(1, 4 * mm),
        *_paragraphs(text_fr),
        PageBreak(),
        _para(f"Terms and conditions of sale — {seller_name}", "Title"),
        _para(f"Version {version}, in force from {effective:%Y-%m-%d %H:%M} (Paris time)."),
        Spacer(1, 4 * mm),
        *_paragraphs(text_en),
    ]
    return _document(title=f"Terms of sale {version}", story=story)
