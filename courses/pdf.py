"""The certificate of achievement as a PDF (reportlab), with the organisation's branding, in the course's
language, and the verification code and URL with its QR code (SPEC R21)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from mooc_platform import storage
from mooc_platform.formatting import localized

from .models import Branding, Certificate

QR_MODULE_PIXELS = 8  # pixels per QR module in the embedded PNG: sharp in every viewer, no interpolation blur


def certificate_qr_png(*, url: str) -> bytes:
    """The QR code of `url` as a PNG, `QR_MODULE_PIXELS` pixels a module, 4 modules of quiet zone."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=QR_MODULE_PIXELS, border=4)
    return out.getvalue()


def certificate_pdf(*, certificate: Certificate, branding: Branding | None, verify_url: str,
                    language: str) -> bytes:
    """The certificate written in `language` (the course's): texts, date ("2 décembre 2026") and score
    ("87,50 %") localised; `verify_url`, the absolute verification URL, printed and drawn as a QR code."""
    with translation.override(language):
        return _certificate_pdf(certificate=certificate, branding=branding, verify_url=verify_url)


def _certificate_pdf(*, certificate: Certificate, branding: Branding | None, verify_url: str) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(_("Certificate %(code)s") % {"code": certificate.code})
    pdf.setAuthor(certificate.organisation_name)
    primary = colors.HexColor(branding.primary_color if branding else "#1d4ed8")
    pdf.setFillColor(primary)
    pdf.rect(0, height - 70, width, 70, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawString(40, height - 45, certificate.organisation_name)
    if branding is not None and branding.logo_id:
        try:
            logo = ImageReader(io.BytesIO(storage.object_get(key=branding.logo.key)))
            pdf.drawImage(logo, width - 130, height - 65, width=90, height=60, preserveAspectRatio=True, mask="auto")
        except Exception:  # noqa: S110 — a missing logo never blocks a certificate
            pass
    pdf.setFillColor(colors.black)
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(width / 2, height - 170, _("Certificate of achievement"))
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 220, _("This certifies that"))
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawCentredString(width / 2, height - 260, certificate.holder_name)
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 300, _("has completed the learning path") if certificate.for_path
                          else _("has completed the course"))
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(width / 2, height - 335, certificate.course_title)
    pdf.setFont("Helvetica", 14)
    issued = certificate.issued_at.astimezone(ZoneInfo(settings.PLATFORM_TIME_ZONE))
    pdf.drawCentredString(width / 2, height - 370, _("with a score of %(score)s on %(date)s") % {
        "score": localized(certificate.score, "percent:2"), "date": localized(issued, "date")})
    qr_size = 96
    pdf.drawImage(ImageReader(io.BytesIO(certificate_qr_png(url=verify_url))), width - 40 - qr_size, 24,
                  width=qr_size, height=qr_size)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(40, 50, _("Verification code: %(code)s") % {"code": certificate.code})
    pdf.drawString(40, 34, _("Verify at %(url)s") % {"url": verify_url})
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
