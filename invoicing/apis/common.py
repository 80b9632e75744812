"""What the invoicing APIs share: money fields, PDF redirects."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseRedirect
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from mooc_platform import storage

from .. import services
from ..models import Invoice


class MoneyField(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


def _pdf_redirect(invoice: Invoice) -> HttpResponseRedirect:
    key = services.invoice_pdf_ensure(invoice=invoice)
    return HttpResponseRedirect(storage.presigned_get_url(key=key, filename=invoice.pdf_filename))


PDF_RESPONSES = {302: OpenApiResponse(description="Redirect to a short-lived download URL of the PDF.")}
