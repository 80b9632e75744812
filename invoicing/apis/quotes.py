"""Platform API (operators): quotes; and the public signature of a quote by its link."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.http import client_ip, tenant_url
from mooc_platform.i18n import LANGUAGE_CODES
from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsOperator

from .. import selectors, services
from ..models import Plan, Quote
from .common import MoneyField


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
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, default="fr")
    initial_term_months = serializers.IntegerField(min_value=1, max_value=60, default=12)


class QuoteListApi(PaginatedListMixin, APIView):
    """`GET` quotes (filter `?status=`); `POST` a draft quote at the prices in force (SPEC R4)."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="QuoteListInput")
    class InputSerializer(QuoteInputMixin):
        plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.filter(is_active=True))
        terms_version = serializers.CharField(max_length=40, required=False)

    @extend_schema(responses=QuoteOutput(many=True))
    def get(self, request: Request) -> Response:
        quotes = selectors.platform_quotes_list(status=request.query_params.get("status") or None)
        return paginated_response(queryset=quotes, serializer_class=QuoteOutput, request=request, view=self)

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
        invoice_number = serializers.CharField(allow_null=True, help_text="null for an amendment quote")

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, auth=[])
    def post(self, request: Request, token: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.quote_sign(token=token, ip_address=client_ip(request),
                                     user_agent=request.META.get("HTTP_USER_AGENT", ""), **data.validated_data)
        signature = result.subscription.quote.signature
        return Response(self.OutputSerializer({
            "quote": result.subscription.quote.reference, "signed_at": signature.signed_at,
            "document_sha256": signature.document_sha256, "tenant_slug": result.tenant.slug,
            "tenant_url": tenant_url(slug=result.tenant.slug, request=request),
            "invoice_number": result.invoice.number if result.invoice else None,
        }).data, status=status.HTTP_201_CREATED)
