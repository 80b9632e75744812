"""What the invoicing APIs share: pagination, money fields, PDF redirects."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseRedirect
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform import storage

from .. import services
from ..models import Invoice


def _paginated(*, queryset: Any, serializer_class: type[serializers.Serializer], request: Request,
               view: APIView) -> Response:
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class MoneyField(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


def _pdf_redirect(invoice: Invoice) -> HttpResponseRedirect:
    key = services.invoice_pdf_ensure(invoice=invoice)
    return HttpResponseRedirect(storage.presigned_get_url(key=key, filename=invoice.pdf_filename))


PDF_RESPONSES = {302: OpenApiResponse(description="Redirect to a short-lived download URL of the PDF.")}
