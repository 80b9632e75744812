"""PDF documents of the invoicing app (reportlab): quotes, and invoices with their Factur-X XML embedded
(profile BASIC WL), as French e-invoicing requires. Rendering is deterministic (`invariant`)."""

from .factur_x import (
    FACTURX_PROFILE,
    VAT_CATEGORY,
    invoice_facturx_xml,
)
from .invoices import (
    TITLES,
    invoice_pdf_render,
    invoice_pdf_visual,
)
from .quotes import (
    quote_pdf_render,
)
from .terms import (
    terms_pdf_render,
)

__all__ = [
    "FACTURX_PROFILE",
    "TITLES",
    "VAT_CATEGORY",
    "invoice_facturx_xml",
    "invoice_pdf_render",
    "invoice_pdf_visual",
    "quote_pdf_render",
    "terms_pdf_render",
]
