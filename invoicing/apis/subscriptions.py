"""Platform API (operators): the contract side of a tenant — termination closes its subscription (SPEC R13)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import NotFoundError
from mooc_platform.permissions import IsOperator
from tenants.apis import TenantOutputSerializer
from tenants.models import Tenant

from .. import services


class TenantTerminateApi(APIView):
    """`POST /api/v1/tenants/{id}/terminate/`: operators end access at once (SPEC R13); the 180-day retention
    follows, the subscription is closed and the invoices of periods after today get a credit note proposed to the
    operator instead of dunning. Final for the customer: `…/lift-termination/` lifts it."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="TenantTerminateInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=["non_payment", "offence", "data_volume", "other"])
        details = serializers.CharField(max_length=150, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=TenantOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"] + (f": {data.validated_data['details']}"
                                                  if data.validated_data.get("details") else "")
        tenant = Tenant.objects.exclude(schema_name="public").filter(pk=pk).first()
        if tenant is None:
            raise NotFoundError("No such tenant.")
        tenant = services.subscription_terminate(tenant=tenant, reason=reason, actor=request.user)
        return Response(TenantOutputSerializer(tenant).data)
