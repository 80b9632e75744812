"""Platform API: payments, customers' balances (SPEC R9) and the payment provider's webhook."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsOperator

from .. import selectors, services
from ..models import Invoice, Payment
from .common import MoneyField


class PaymentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    amount = MoneyField()
    method = serializers.CharField()
    provider_reference = serializers.CharField(allow_null=True)
    received_at = serializers.DateTimeField()
    recorded_by_email = serializers.CharField()


class InvoicePaymentsApi(PaginatedListMixin, APIView):
    """`GET` the payments of an invoice; `POST` a bank transfer received (full or partial, SPEC R9)."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="InvoicePaymentsInput")
    class InputSerializer(serializers.Serializer):
        amount = MoneyField(min_value=Decimal("0.01"))
        received_at = serializers.DateTimeField(required=False)
        reference = serializers.CharField(max_length=120, required=False,
                                          help_text="Bank reference; makes the call idempotent.")

    @extend_schema(responses=PaymentOutput(many=True))
    def get(self, request: Request, invoice_id: int) -> Response:
        invoice = get_object_or_404(Invoice, pk=invoice_id)
        return paginated_response(queryset=invoice.payments.all(), serializer_class=PaymentOutput, request=request,
                                  view=self)

    @extend_schema(request=InputSerializer, responses={201: PaymentOutput})
    def post(self, request: Request, invoice_id: int) -> Response:
        invoice = get_object_or_404(Invoice, pk=invoice_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.payment_record(invoice=invoice, amount=data.validated_data["amount"],
                                          method=Payment.Method.TRANSFER,
                                          provider_reference=data.validated_data.get("reference"),
                                          received_at=data.validated_data.get("received_at"), actor=request.user)
        return Response(PaymentOutput(payment).data, status=status.HTTP_201_CREATED)


class CustomerBalanceOutput(serializers.Serializer):
    """One customer's account, EUR incl. tax (see `selectors.customer_balance_annotations`)."""

    id = serializers.IntegerField(help_text="The tenant id (as in `/api/v1/tenants/{id}/`).")
    slug = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    buyer_name = serializers.CharField(allow_null=True)
    subscription_id = serializers.IntegerField(allow_null=True)
    subscription_status = serializers.CharField(allow_null=True)
    invoiced = MoneyField(help_text="Invoices and credit notes issued (credit notes negative), excl. late charges.")
    late_charges = MoneyField(help_text="EUR 40 indemnities and late interest.")
    paid = MoneyField()
    balance_due = MoneyField(help_text="Still to pay on unpaid invoices, late charges included.")
    overdue = MoneyField(help_text="The part of the balance due whose due date has passed.")
    credit = MoneyField(help_text="Payments of invoices later cancelled by a credit note, not used yet: the next "
                                  "invoices use them.")


class CustomerListApi(PaginatedListMixin, APIView):
    """`GET` every customer with its balance: invoiced, paid, balance due, overdue (SPEC R9). One query."""

    permission_classes = [IsOperator]

    @extend_schema(responses=CustomerBalanceOutput(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(queryset=selectors.platform_customers_balances(),
                                  serializer_class=CustomerBalanceOutput, request=request, view=self)


class CustomerDetailApi(APIView):
    """`GET` one customer's balance (by tenant id)."""

    permission_classes = [IsOperator]

    @extend_schema(responses=CustomerBalanceOutput)
    def get(self, request: Request, customer_id: int) -> Response:
        return Response(CustomerBalanceOutput(
            get_object_or_404(selectors.platform_customers_balances(), pk=customer_id)).data)


class PaymentWebhookApi(APIView):
    """The payment provider's notification. Header `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>`;
    body `{"reference", "invoice_number", "amount", "currency"}`. Idempotent by `reference`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=inline_serializer("PaymentNotification", {
        "reference": serializers.CharField(), "invoice_number": serializers.CharField(),
        "amount": serializers.CharField(), "currency": serializers.CharField()}),
        responses={200: PaymentOutput}, auth=[])
    def post(self, request: Request) -> Response:
        body = request.body
        payment = services.payment_webhook_handle(body=body, signature=request.headers.get("X-Signature", ""))
        return Response(PaymentOutput(payment).data)
