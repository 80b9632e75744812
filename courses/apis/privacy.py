"""Tenant API: my data, exported or deleted."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.errors import Code
from mooc_platform.errors import ApplicationError
from mooc_platform.permissions import IsTenantMember

from .. import services


class MyDataExportApi(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        response = Response(services.user_data_export(user=request.user))
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response


class MyAccountDeleteApi(APIView):
    """Delete my account (password required): posts anonymised, certificates kept as "holder removed"."""

    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not request.user.check_password(data.validated_data["password"]):
            raise ApplicationError("Wrong password.", code=Code.INVALID_CREDENTIALS)
        services.user_account_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
