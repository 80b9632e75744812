"""Claims in the API (SPEC §4 `/api/v1/claims/`). Tenant host: the organisation's administrators list, file
and read their claims, and follow up. Platform host, same path: operators list, read, answer and move claims
of every organisation. Errors leave as {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from django.db import connection
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import NotFoundError
from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsOperator, IsTenantAdministrator

from . import selectors, services
from .models import Claim


def _current_tenant() -> Any:
    return connection.tenant


class ClaimMessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.ChoiceField(choices=["operator", "customer"], help_text="operator or customer")
    author_name = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class ClaimOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    category = serializers.ChoiceField(choices=Claim.Category.choices)
    invoice_id = serializers.IntegerField(allow_null=True)
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True, default=None)
    maintenance_window_id = serializers.IntegerField(allow_null=True)
    incident_reference = serializers.CharField()
    event_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(help_text="When the platform received the claim (its timestamp).")
    late = serializers.BooleanField(help_text="Filed more than 48 hours after the event (GCS art. 13).")
    subject = serializers.CharField()
    body = serializers.CharField()
    status = serializers.ChoiceField(choices=Claim.Status.choices)
    filed_by_name = serializers.CharField()
    filed_by_email = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    messages = ClaimMessageOutputSerializer(many=True, source="messages.all")


class OperatorClaimOutputSerializer(ClaimOutputSerializer):
    tenant_id = serializers.IntegerField()
    tenant_slug = serializers.CharField(source="tenant.slug")
    tenant_name = serializers.CharField(source="tenant.name")


# --- Tenant host: the organisation's administrators -------------------------------------------------------------


class ClaimListApi(PaginatedListMixin, APIView):
    """`GET` the organisation's claims (newest first); `POST` files one, timestamped on receipt."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Claim.Kind.choices, default=Claim.Kind.CLAIM)
        category = serializers.ChoiceField(choices=Claim.Category.choices)
        event_at = serializers.DateTimeField(help_text="When the event happened, ISO 8601 with an offset.")
        subject = serializers.CharField(max_length=services.SUBJECT_MAX)
        body = serializers.CharField(max_length=services.BODY_MAX)
        invoice_id = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                              help_text="Required when the category is `invoice`.")
        maintenance_window_id = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                                         help_text="Required when the category is `maintenance`.")
        incident_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                                   help_text="For an incident: what, when, a status-page reference.")

    @extend_schema(operation_id="tenant_claims_list", responses=ClaimOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        claims = selectors.claims_of_tenant(tenant=_current_tenant()).prefetch_related("messages")
        return paginated_response(queryset=claims, serializer_class=ClaimOutputSerializer, request=request, view=self)

    @extend_schema(operation_id="tenant_claims_file", request=InputSerializer, responses={201: ClaimOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.claim_file(tenant=_current_tenant(), actor=request.user, **data.validated_data)
        return Response(ClaimOutputSerializer(claim).data, status=201)


def _tenant_claim(claim_id: int) -> Claim:
    claim = selectors.claim_of_tenant(tenant=_current_tenant(), claim_id=claim_id)
    if claim is None:
        raise NotFoundError("No such claim for this organisation.")
    return claim


class ClaimDetailApi(APIView):
    permission_classes = [IsTenantAdministrator]

    @extend_schema(operation_id="tenant_claims_retrieve", responses=ClaimOutputSerializer)
    def get(self, request: Request, claim_id: int) -> Response:
        return Response(ClaimOutputSerializer(_tenant_claim(claim_id)).data)


class ClaimFollowUpApi(APIView):
    """`POST` a message from the administrator: an answered claim is open again; a closed one refuses (409)."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=services.BODY_MAX)

    @extend_schema(operation_id="tenant_claims_follow_up", request=InputSerializer,
                   responses={201: ClaimOutputSerializer})
    def post(self, request: Request, claim_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = _tenant_claim(claim_id)
        services.claim_follow_up(claim=claim, actor=request.user, body=data.validated_data["body"])
        return Response(ClaimOutputSerializer(_tenant_claim(claim_id)).data, status=201)


# --- Platform host: operators ---------------------------------------------------------------------------------


class OperatorClaimListApi(PaginatedListMixin, APIView):
    """`GET` the claims of every organisation, oldest first (the order of work), filtered."""

    permission_classes = [IsOperator]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=[("open", "open or in progress"), *Claim.Status.choices],
                                         required=False, allow_blank=True, default="")
        tenant_id = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
        late = serializers.BooleanField(required=False, allow_null=True, default=None)
        q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    @extend_schema(operation_id="claims_list", responses=OperatorClaimOutputSerializer(many=True),
                   parameters=[OpenApiParameter("status", str, enum=["open", *Claim.Status.values]),
                               OpenApiParameter("tenant_id", int), OpenApiParameter("late", bool),
                               OpenApiParameter("q", str)])
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        claims = selectors.claims_search_all_tenants(**filters.validated_data).prefetch_related("messages")
        return paginated_response(queryset=claims, serializer_class=OperatorClaimOutputSerializer, request=request,
                                  view=self)


def _claim(claim_id: int) -> Claim:
    claim = selectors.claims_search_all_tenants().filter(pk=claim_id).first()
    if claim is None:
        raise NotFoundError("No such claim.")
    return claim


class OperatorClaimDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(operation_id="claims_retrieve", responses=OperatorClaimOutputSerializer)
    def get(self, request: Request, claim_id: int) -> Response:
        return Response(OperatorClaimOutputSerializer(_claim(claim_id)).data)


class OperatorClaimReplyApi(APIView):
    """`POST` an answer: kept in the thread, e-mailed to the filer; the status becomes `status` (answered)."""

    permission_classes = [IsOperator]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=services.BODY_MAX)
        status = serializers.ChoiceField(choices=Claim.Status.choices, default=Claim.Status.ANSWERED)

    @extend_schema(operation_id="claims_reply", request=InputSerializer, responses={201: OperatorClaimOutputSerializer})
    def post(self, request: Request, claim_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_reply(claim=_claim(claim_id), actor=request.user, **data.validated_data)
        return Response(OperatorClaimOutputSerializer(_claim(claim_id)).data, status=201)


class OperatorClaimStatusApi(APIView):
    """`POST` a new status (open, in progress, answered, closed); audited."""

    permission_classes = [IsOperator]

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Claim.Status.choices)

    @extend_schema(operation_id="claims_status_set", request=InputSerializer, responses=OperatorClaimOutputSerializer)
    def post(self, request: Request, claim_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_status_set(claim=_claim(claim_id), actor=request.user, status=data.validated_data["status"])
        return Response(OperatorClaimOutputSerializer(_claim(claim_id)).data)
