"""Tenant API (customer administrators, on the tenant's host): this organisation's invoices and
subscription — cancel, resubscribe."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpResponseRedirect
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import NotFoundError
from mooc_platform.http import client_ip
from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsTenantAdministrator

from .. import selectors, services
from ..models import Subscription
from .common import PDF_RESPONSES, MoneyField, _pdf_redirect
from .invoices import InvoiceOutput


def _current_tenant() -> Any:
    return connection.tenant


class TenantInvoiceListApi(PaginatedListMixin, APIView):
    """`GET` this organisation's invoices and credit notes, with their balance."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(responses=InvoiceOutput(many=True))
    def get(self, request: Request) -> Response:
        invoices = selectors.tenant_invoices(tenant=_current_tenant()).prefetch_related("lines")
        return paginated_response(queryset=invoices, serializer_class=InvoiceOutput, request=request, view=self)


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
    paid_through = serializers.DateTimeField(help_text="End of the period already paid: after a cancellation, "
                                                        "access runs until then (GCS art. 3).")
    invoiced_through = serializers.DateField(help_text="First day not invoiced yet (invoices are issued in advance).")
    balance_due = MoneyField()
    credit = MoneyField(help_text="Credit on the account (payments of credited invoices), used by the next invoice.")
    cancelled_at = serializers.DateTimeField(allow_null=True)


def _subscription_data(subscription: Subscription) -> dict[str, Any]:
    data = SubscriptionOutput({
        **{f: getattr(subscription, f) for f in ("id", "status", "plan", "billing_period", "seats", "anchor_date",
                                                  "initial_period_ends_on", "cancelled_at")},
        "paid_through": services.subscription_paid_through(subscription=subscription),
        "invoiced_through": services.subscription_invoiced_through(subscription=subscription),
        "balance_due": selectors.tenant_balance(tenant=subscription.tenant),
        "credit": selectors.tenant_credit(tenant=subscription.tenant),
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
            ip_address=client_ip(request), user_agent=request.headers.get("User-Agent", ""))
        return Response({"subscription": _subscription_data(result.subscription),
                         "invoice_number": result.invoice.number}, status=status.HTTP_201_CREATED)


class BillingIdentityOutput(serializers.Serializer):
    name = serializers.CharField(source="buyer_name", help_text="Changed by a new order only.")
    country = serializers.CharField(source="buyer_country", help_text="Changed by a new order only.")
    billing_address = serializers.CharField(source="buyer_address")
    vat_number = serializers.CharField(source="buyer_vat_number")
    siren = serializers.CharField(source="buyer_siren")
    billing_email = serializers.EmailField(source="buyer_email")


class TenantBillingIdentityApi(APIView):
    """`GET` the details printed on this organisation's next invoice; `PATCH` any of `billing_address`,
    `vat_number` (checked: format, country, VIES when enabled), `siren`, `billing_email` (SPEC R28). Invoices
    already issued keep their snapshot; the change is audited."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema_serializer(component_name="TenantBillingIdentityInput")
    class InputSerializer(serializers.Serializer):
        billing_address = serializers.CharField(required=False, max_length=1000)
        vat_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
        siren = serializers.CharField(required=False, allow_blank=True, max_length=20)
        billing_email = serializers.EmailField(required=False, max_length=254)

    def _subscription(self) -> Subscription:
        subscription = selectors.tenant_subscription(tenant=_current_tenant())
        if subscription is None:
            raise NotFoundError("This organisation has no subscription.")
        return subscription

    @extend_schema(responses=BillingIdentityOutput)
    def get(self, request: Request) -> Response:
        return Response(BillingIdentityOutput(self._subscription()).data)

    @extend_schema(request=InputSerializer, responses=BillingIdentityOutput)
    def patch(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_billing_identity_update(
            subscription=self._subscription(), actor=request.user, **data.validated_data)
        return Response(BillingIdentityOutput(subscription).data)
