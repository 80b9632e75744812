"""The certificate of achievement as a PDF (reportlab), with the organisation's branding and the
verification code (SPEC R21)."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from mooc_platform import storage

from .models import Branding, Certificate


def certificate_pdf(*, certificate: Certificate, branding: Branding | None, address: str = "") -> bytes:
    """`address`: the organisation's host, printed with the verification path."""
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Certificate {certificate.code}")
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
    pdf.drawCentredString(width / 2, height - 170, "Certificate of achievement")
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 220, "This certifies that")
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawCentredString(width / 2, height - 260, certificate.holder_name)
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 300, "has completed the course")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(width / 2, height - 335, certificate.course_title)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 370,
                          f"with a score of {certificate.score} % on {certificate.issued_at:%Y-%m-%d}")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(40, 50, f"Verification code: {certificate.code}")
    if address:
        pdf.drawString(40, 34, f"Verify at {address}/certificates/verify/{certificate.code}/")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
