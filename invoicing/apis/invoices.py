"""Platform API (operators): invoices, pro forma invoices and credit notes, their PDF."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.input_guards import parse_id
from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsOperator

from .. import selectors, services
from ..models import Invoice, Quote
from .common import PDF_RESPONSES, MoneyField, _pdf_redirect


class InvoiceLineOutput(serializers.Serializer):
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit_price = MoneyField()
    amount = MoneyField()


class InvoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    status = serializers.CharField()
    tenant_slug = serializers.CharField(source="tenant.slug", allow_null=True, default=None)
    credited_invoice = serializers.CharField(source="credited_invoice.number", allow_null=True, default=None)
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    seller = serializers.JSONField()
    buyer = serializers.JSONField()
    currency = serializers.CharField()
    vat_scheme = serializers.CharField()
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    vat_mention = serializers.CharField()
    total_excl_tax = MoneyField()
    total_vat = MoneyField()
    total_incl_tax = MoneyField()
    recovery_indemnity = MoneyField()
    late_interest = MoneyField()
    amount_paid = MoneyField()
    balance_due = MoneyField()
    legal_mentions = serializers.CharField()
    credit_note_proposed_at = serializers.DateTimeField(
        allow_null=True, help_text="Set for an invoice of a period after an operator's termination: not dunned, a "
                                   "credit note is proposed to the operator (SPEC R13).")
    lines = InvoiceLineOutput(many=True)


class InvoiceListApi(PaginatedListMixin, APIView):
    """`GET` invoices, credit notes and pro formas of every customer (filters `?status=`, `?tenant=<id>`,
    `?credit_note_proposed=true`: the invoices of periods after a termination awaiting the operator's credit note)."""

    permission_classes = [IsOperator]

    @extend_schema(responses=InvoiceOutput(many=True), parameters=[
        OpenApiParameter("status", str), OpenApiParameter("tenant", int),
        OpenApiParameter("credit_note_proposed", bool)])
    def get(self, request: Request) -> Response:
        tenant = request.query_params.get("tenant")
        invoices = selectors.platform_invoices_list(
            status=request.query_params.get("status") or None,
            tenant_id=parse_id(tenant),
            credit_note_proposed=request.query_params.get("credit_note_proposed") in ("true", "1"))
        return paginated_response(queryset=invoices, serializer_class=InvoiceOutput, request=request, view=self)


class InvoiceDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=InvoiceOutput)
    def get(self, request: Request, invoice_id: int) -> Response:
        return Response(InvoiceOutput(get_object_or_404(Invoice, pk=invoice_id)).data)


class InvoicePdfApi(APIView):
    """`GET`: 302 to a short-lived S3 URL of the PDF (Factur-X embedded)."""

    permission_classes = [IsOperator]

    @extend_schema(responses=PDF_RESPONSES)
    def get(self, request: Request, invoice_id: int) -> HttpResponseRedirect:
        return _pdf_redirect(get_object_or_404(Invoice, pk=invoice_id))


class QuoteProFormaCreateApi(APIView):
    """`POST`: a pro forma invoice of the quote's first invoice (no number, no accounting effect)."""

    permission_classes = [IsOperator]

    @extend_schema(request=None, responses={201: InvoiceOutput})
    def post(self, request: Request, quote_id: int) -> Response:
        pro_forma = services.invoice_pro_forma_issue(quote=get_object_or_404(Quote, pk=quote_id), actor=request.user)
        return Response(InvoiceOutput(pro_forma).data, status=status.HTTP_201_CREATED)


class CreditNoteCreateApi(APIView):
    """`POST`: cancel an invoice by a credit note (its negated copy, series A)."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="CreditNoteCreateInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=300)

    @extend_schema(request=InputSerializer, responses={201: InvoiceOutput})
    def post(self, request: Request, invoice_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.credit_note_issue(invoice=get_object_or_404(Invoice, pk=invoice_id), actor=request.user,
                                          reason=data.validated_data["reason"])
        return Response(InvoiceOutput(note).data, status=status.HTTP_201_CREATED)
