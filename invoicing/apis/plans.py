"""Platform API (operators): plans and their prices."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsOperator

from .. import selectors, services
from ..models import BillingPeriod, Plan
from .common import MoneyField


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


class PlanListApi(PaginatedListMixin, APIView):
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
        return paginated_response(queryset=selectors.platform_plans_list(), serializer_class=PlanOutput,
                                  request=request, view=self)

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
