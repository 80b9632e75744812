"""Invoicing API (SPEC §4): thin views, nested Input/Output serializers, services do the work.

Platform host (operators): plans, quotes, invoices, payments; quote signatures (no account) and the payment
provider's webhook. Tenant host (customer administrators): invoices and subscription of that tenant only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform import storage
from mooc_platform.errors import NotFoundError
from mooc_platform.permissions import IsOperator, IsTenantAdministrator

from . import selectors, services
from .models import BillingPeriod, Invoice, Payment, Plan, Quote, Subscription


def _paginated(*, queryset: Any, serializer_class: type[serializers.Serializer], request: Request,
               view: APIView) -> Response:
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


def _client_ip(request: Request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class MoneyField(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


# --- Plans -----------------------------------------------------------------------------------------


class PlanPriceOutput(serializers.Serializer):
    version = serializers.IntegerField()
    valid_from = serializers.DateTimeField()
    billing_period = serializers.CharField()
    flat_amount = MoneyField()
    per_seat_amount = MoneyField()
    setup_fee = MoneyField()
    seats = serializers.IntegerField()
    storage_quota_bytes = serializers.IntegerField()
    custom_domains_allowed = serializers.BooleanField()
    currency = serializers.CharField()


class PlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    is_active = serializers.BooleanField()
    prices = PlanPriceOutput(many=True)


class PlanListApi(APIView):
    """`GET` the price list (EUR excl. tax, every version); `POST` a new plan with its first price."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="PlanListInput")
    class InputSerializer(serializers.Serializer):
        code = serializers.SlugField(max_length=40)
        name = serializers.CharField(max_length=120)
        billing_period = serializers.ChoiceField(choices=BillingPeriod.choices)
        flat_amount = MoneyField(min_value=Decimal("0"), default="0.00")
        per_seat_amount = MoneyField(min_value=Decimal("0"), default="0.00")
        setup_fee = MoneyField(min_value=Decimal("0"), default="0.00")
        seats = serializers.IntegerField(min_value=1, default=50)
        storage_quota_bytes = serializers.IntegerField(min_value=0, default=10 * 1024**3)
        custom_domains_allowed = serializers.BooleanField(default=False)

        def validate_code(self, value: str) -> str:
            if Plan.objects.filter(code=value).exists():
                raise serializers.ValidationError("A plan with this code exists.")
            return value

    OutputSerializer = PlanOutput

    @extend_schema(responses=PlanOutput(many=True))
    def get(self, request: Request) -> Response:
        return _paginated(queryset=selectors.platform_plans_list(), serializer_class=PlanOutput, request=request,
                          view=self)

    @extend_schema(request=InputSerializer, responses={201: PlanOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_create(actor=request.user, **data.validated_data)
        return Response(PlanOutput(plan).data, status=status.HTTP_201_CREATED)


class PlanPriceCreateApi(APIView):
    """`POST` a new price version of a plan: new quotes use it at once (SPEC R7)."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="PlanPriceCreateInput")
    class InputSerializer(serializers.Serializer):
        flat_amount = MoneyField(min_value=Decimal("0"), required=False)
        per_seat_amount = MoneyField(min_value=Decimal("0"), required=False)
        setup_fee = MoneyField(min_value=Decimal("0"), required=False)
        seats = serializers.IntegerField(min_value=1, required=False)
        storage_quota_bytes = serializers.IntegerField(min_value=0, required=False)
        custom_domains_allowed = serializers.BooleanField(required=False)
        valid_from = serializers.DateTimeField(required=False)

    @extend_schema(request=InputSerializer, responses={201: PlanPriceOutput})
    def post(self, request: Request, plan_id: int) -> Response:
        plan = get_object_or_404(Plan, pk=plan_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        price = services.plan_price_change(plan=plan, actor=request.user, **data.validated_data)
        return Response(PlanPriceOutput(price).data, status=status.HTTP_201_CREATED)


# --- Quotes ----------------------------------------------------------------------------------------


class QuoteLineOutput(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit_price = MoneyField()
    amount = MoneyField()


class QuoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    plan = serializers.CharField(source="plan_price.plan.code")
    plan_price_version = serializers.IntegerField(source="plan_price.version")
    organisation_name = serializers.CharField()
    billing_address = serializers.CharField()
    country = serializers.CharField()
    vat_number = serializers.CharField()
    siren = serializers.CharField()
    contact_name = serializers.CharField()
    contact_email = serializers.EmailField()
    language = serializers.CharField()
    wished_slug = serializers.CharField()
    billing_period = serializers.CharField()
    seats = serializers.IntegerField()
    storage_quota_bytes = serializers.IntegerField()
    custom_domains_allowed = serializers.BooleanField()
    initial_term_months = serializers.IntegerField()
    valid_until = serializers.DateField()
    terms_version = serializers.CharField()
    pdf_sha256 = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    lines = QuoteLineOutput(many=True)


class QuoteInputMixin(serializers.Serializer):
    organisation_name = serializers.CharField(max_length=200)
    billing_address = serializers.CharField()
    country = serializers.CharField(min_length=2, max_length=2)
    vat_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    siren = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                  help_text="French buyers: SIREN, printed on invoices.")
    contact_name = serializers.CharField(max_length=200)
    contact_email = serializers.EmailField()
    wished_slug = serializers.CharField(max_length=40)
    seats = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    valid_until = serializers.DateField(required=False)
    language = serializers.ChoiceField(choices=["en", "fr"], default="fr")
    initial_term_months = serializers.IntegerField(min_value=1, max_value=60, default=12)


class QuoteListApi(APIView):
    """`GET` quotes (filter `?status=`); `POST` a draft quote at the prices in force (SPEC R4)."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="QuoteListInput")
    class InputSerializer(QuoteInputMixin):
        plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.filter(is_active=True))
        terms_version = serializers.CharField(max_length=40, required=False)

    @extend_schema(responses=QuoteOutput(many=True))
    def get(self, request: Request) -> Response:
        quotes = selectors.platform_quotes_list(status=request.query_params.get("status") or None)
        return _paginated(queryset=quotes, serializer_class=QuoteOutput, request=request, view=self)

    @extend_schema(request=InputSerializer, responses={201: QuoteOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quote = services.quote_create(actor=request.user, **data.validated_data)
        return Response(QuoteOutput(quote).data, status=status.HTTP_201_CREATED)


class QuoteDetailApi(APIView):
    """`GET` one quote; `PATCH` a draft (a sent quote is withdrawn instead, a signed one never changes)."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="QuoteDetailInput")
    class InputSerializer(QuoteInputMixin):
        pass

    @extend_schema(responses=QuoteOutput)
    def get(self, request: Request, quote_id: int) -> Response:
        return Response(QuoteOutput(get_object_or_404(Quote, pk=quote_id)).data)

    @extend_schema(request=InputSerializer, responses=QuoteOutput)
    def patch(self, request: Request, quote_id: int) -> Response:
        quote = get_object_or_404(Quote, pk=quote_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k in request.data}
        quote = services.quote_update(quote=quote, actor=request.user, **changes)
        return Response(QuoteOutput(quote).data)


class QuoteSendApi(APIView):
    """`POST`: render the PDF and e-mail the signing link to the prospect's contact."""

    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=QuoteOutput)
    def post(self, request: Request, quote_id: int) -> Response:
        quote = get_object_or_404(Quote, pk=quote_id)
        quote = services.quote_send(quote=quote, signing_base_url=request.build_absolute_uri("/"), actor=request.user)
        return Response(QuoteOutput(quote).data)


class QuoteReviseApi(APIView):
    """`POST`: supersede a sent (or expired) quote by a new draft at today's prices; its link stops working."""

    permission_classes = [IsOperator]

    @extend_schema(request=None, responses={201: QuoteOutput})
    def post(self, request: Request, quote_id: int) -> Response:
        draft = services.quote_revise(quote=get_object_or_404(Quote, pk=quote_id), actor=request.user)
        return Response(QuoteOutput(draft).data, status=status.HTTP_201_CREATED)


class QuoteWithdrawApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=QuoteOutput)
    def post(self, request: Request, quote_id: int) -> Response:
        quote = services.quote_withdraw(quote=get_object_or_404(Quote, pk=quote_id), actor=request.user)
        return Response(QuoteOutput(quote).data)


class QuoteSignatureCreateApi(APIView):
    """`POST /api/v1/quote-signatures/<token>/`: the prospect signs (no account). Creates the subscription,
    the tenant and the first invoice (SPEC R5, R6). A second signature answers 409."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema_serializer(component_name="QuoteSignatureCreateInput")
    class InputSerializer(serializers.Serializer):
        signer_name = serializers.CharField(max_length=200)
        signer_title = serializers.CharField(max_length=200)
        signer_email = serializers.EmailField()
        accept_terms = serializers.BooleanField()
        document_sha256 = serializers.CharField(max_length=64, required=False,
                                                help_text="SHA-256 of the PDF the signer read; refused if it changed.")

    @extend_schema_serializer(component_name="QuoteSignatureCreateOutput")
    class OutputSerializer(serializers.Serializer):
        quote = serializers.CharField()
        signed_at = serializers.DateTimeField()
        document_sha256 = serializers.CharField()
        tenant_slug = serializers.CharField()
        tenant_url = serializers.CharField()
        invoice_number = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, auth=[])
    def post(self, request: Request, token: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.quote_sign(token=token, ip_address=_client_ip(request),
                                     user_agent=request.META.get("HTTP_USER_AGENT", ""), **data.validated_data)
        signature = result.subscription.quote.signature
        return Response(self.OutputSerializer({
            "quote": result.subscription.quote.reference, "signed_at": signature.signed_at,
            "document_sha256": signature.document_sha256, "tenant_slug": result.tenant.slug,
            "tenant_url": tenant_url(request=request, slug=result.tenant.slug),
            "invoice_number": result.invoice.number,
        }).data, status=status.HTTP_201_CREATED)


def tenant_url(*, request: Any, slug: str) -> str:
    """The new tenant's address, on the same scheme and port as this request."""
    return f"{request.scheme}://{slug}.{request.get_host()}/"


# --- Invoices and payments -------------------------------------------------------------------------


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
    lines = InvoiceLineOutput(many=True)


class InvoiceListApi(APIView):
    """`GET` invoices, credit notes and pro formas of every customer (filters `?status=`, `?tenant=<id>`)."""

    permission_classes = [IsOperator]

    @extend_schema(responses=InvoiceOutput(many=True))
    def get(self, request: Request) -> Response:
        tenant = request.query_params.get("tenant")
        invoices = selectors.platform_invoices_list(status=request.query_params.get("status") or None,
                                                    tenant_id=int(tenant) if tenant and tenant.isdigit() else None)
        return _paginated(queryset=invoices, serializer_class=InvoiceOutput, request=request, view=self)


class InvoiceDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=InvoiceOutput)
    def get(self, request: Request, invoice_id: int) -> Response:
        return Response(InvoiceOutput(get_object_or_404(Invoice, pk=invoice_id)).data)


def _pdf_redirect(invoice: Invoice) -> HttpResponseRedirect:
    key = services.invoice_pdf_ensure(invoice=invoice)
    return HttpResponseRedirect(storage.presigned_get_url(key=key, filename=invoice.pdf_filename))


PDF_RESPONSES = {302: OpenApiResponse(description="Redirect to a short-lived download URL of the PDF.")}


class InvoicePdfApi(APIView):
    """`GET`: 302 to a short-lived S3 URL of the PDF (Factur-X embedded)."""

    permission_classes = [IsOperator]

    @extend_schema(responses=PDF_RESPONSES)
    def get(self, request: Request, invoice_id: int) -> HttpResponseRedirect:
        return _pdf_redirect(get_object_or_404(Invoice, pk=invoice_id))


class PaymentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    amount = MoneyField()
    method = serializers.CharField()
    provider_reference = serializers.CharField(allow_null=True)
    received_at = serializers.DateTimeField()
    recorded_by_email = serializers.CharField()


class InvoicePaymentsApi(APIView):
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
        return _paginated(queryset=invoice.payments.all(), serializer_class=PaymentOutput, request=request,
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


class CustomerListApi(APIView):
    """`GET` every customer with its balance: invoiced, paid, balance due, overdue (SPEC R9). One query."""

    permission_classes = [IsOperator]

    @extend_schema(responses=CustomerBalanceOutput(many=True))
    def get(self, request: Request) -> Response:
        return _paginated(queryset=selectors.platform_customers_balances(), serializer_class=CustomerBalanceOutput,
                          request=request, view=self)


class CustomerDetailApi(APIView):
    """`GET` one customer's balance (by tenant id)."""

    permission_classes = [IsOperator]

    @extend_schema(responses=CustomerBalanceOutput)
    def get(self, request: Request, customer_id: int) -> Response:
        return Response(CustomerBalanceOutput(
            get_object_or_404(selectors.platform_customers_balances(), pk=customer_id)).data)


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


# --- Tenant host: the customer administrator's billing --------------------------------------------


def _current_tenant() -> Any:
    return connection.tenant


class TenantInvoiceListApi(APIView):
    """`GET` this organisation's invoices and credit notes, with their balance."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(responses=InvoiceOutput(many=True))
    def get(self, request: Request) -> Response:
        return _paginated(queryset=selectors.tenant_invoices(tenant=_current_tenant()).prefetch_related("lines"),
                          serializer_class=InvoiceOutput, request=request, view=self)


class TenantInvoicePdfApi(APIView):
    permission_classes = [IsTenantAdministrator]

    @extend_schema(responses=PDF_RESPONSES)
    def get(self, request: Request, invoice_id: int) -> HttpResponseRedirect:
        invoice = selectors.tenant_invoices(tenant=_current_tenant()).filter(pk=invoice_id).first()
        if invoice is None:
            raise NotFoundError("No such invoice for this organisation.")
        return _pdf_redirect(invoice)


class SubscriptionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    plan = serializers.CharField(source="plan.name")
    billing_period = serializers.CharField()
    seats = serializers.IntegerField()
    anchor_date = serializers.DateField()
    initial_period_ends_on = serializers.DateField()
    paid_through = serializers.DateTimeField()
    balance_due = MoneyField()
    cancelled_at = serializers.DateTimeField(allow_null=True)


def _subscription_data(subscription: Subscription) -> dict[str, Any]:
    data = SubscriptionOutput({
        **{f: getattr(subscription, f) for f in ("id", "status", "plan", "billing_period", "seats", "anchor_date",
                                                  "initial_period_ends_on", "cancelled_at")},
        "paid_through": services.subscription_paid_through(subscription=subscription),
        "balance_due": selectors.tenant_balance(tenant=subscription.tenant),
    }).data
    return dict(data)


class TenantSubscriptionApi(APIView):
    """`GET` this organisation's subscription: plan, period, paid-through date, balance due."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(responses=SubscriptionOutput)
    def get(self, request: Request) -> Response:
        subscription = selectors.tenant_subscription(tenant=_current_tenant())
        if subscription is None:
            raise NotFoundError("This organisation has no subscription.")
        return Response(_subscription_data(subscription))


class TenantSubscriptionCancelApi(APIView):
    """`POST` with `{"confirm": true}`: cancel. No refund; access continues until the paid-through date
    (SPEC R12 — GCS art. 3)."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema_serializer(component_name="TenantSubscriptionCancelInput")
    class InputSerializer(serializers.Serializer):
        confirm = serializers.BooleanField()

        def validate_confirm(self, value: bool) -> bool:
            if value is not True:
                raise serializers.ValidationError("Confirm the cancellation with true.")
            return value

    @extend_schema(request=InputSerializer, responses=SubscriptionOutput)
    def post(self, request: Request) -> Response:
        self.InputSerializer(data=request.data).is_valid(raise_exception=True)
        subscription = selectors.tenant_subscription(tenant=_current_tenant())
        if subscription is None:
            raise NotFoundError("This organisation has no subscription.")
        subscription = services.subscription_cancel(subscription=subscription, actor=request.user)
        return Response(_subscription_data(subscription))



class TenantSubscriptionResubscribeApi(APIView):
    """`POST` with `{"accept_terms": true}` during retention (or while cancelled): subscribe again to the same
    plan at today's prices; the tenant comes back untouched and the first invoice of the new period is
    issued (SPEC R14). Answers the new subscription and that invoice's number."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema_serializer(component_name="TenantSubscriptionResubscribeInput")
    class InputSerializer(serializers.Serializer):
        accept_terms = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={201: inline_serializer("Resubscription", {
        "subscription": SubscriptionOutput(), "invoice_number": serializers.CharField()})})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.subscription_resubscribe(
            tenant=_current_tenant(), accept_terms=data.validated_data["accept_terms"], actor=request.user,
            ip_address=_client_ip(request), user_agent=request.headers.get("User-Agent", ""))
        return Response({"subscription": _subscription_data(result.subscription),
                         "invoice_number": result.invoice.number}, status=status.HTTP_201_CREATED)
