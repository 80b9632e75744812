"""The organisation's LRS and its xAPI statements in the API (issue 17 item 5), for administrators. The LRS secret
is write-only: no answer carries it. Errors leave as {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import NotFoundError
from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsTenantAdministrator

from .. import selectors
from ..errors import Code
from ..models import LrsConfig, XapiStatement
from ..services import xapi as services

XAPI_TAG = ["xapi"]


class LrsConfigOutputSerializer(serializers.Serializer):
    endpoint = serializers.URLField(help_text="The LRS endpoint; statements go to `<endpoint>statements`.")
    key = serializers.CharField(help_text="The user name of the LRS's HTTP Basic authentication.")
    has_secret = serializers.SerializerMethodField(help_text="A secret is stored (it is never shown back).")
    is_active = serializers.BooleanField(help_text="Statements are sent.")
    updated_at = serializers.DateTimeField()

    def get_has_secret(self, config: LrsConfig) -> bool:
        return bool(config.secret)


class XapiStatementOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    statement_id = serializers.UUIDField(help_text="The statement's `id` at the LRS.")
    verb = serializers.ChoiceField(choices=sorted(services.VERBS))
    event_type = serializers.CharField()
    status = serializers.ChoiceField(choices=XapiStatement.Status.choices)
    attempts_count = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True, help_text="The LRS's last answer (null: none).")
    last_error = serializers.CharField(help_text="Why the last attempt failed (empty once sent).")
    created_at = serializers.DateTimeField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    statement = serializers.JSONField(help_text="The xAPI 1.0.3 statement (without its `id`).")


LRS_EXAMPLE = {"endpoint": "https://lrs.example.edu/xapi/", "key": "mooc-platform", "secret": "s3cr3t",
               "is_active": True}


class LrsConfigApi(APIView):
    """`GET` the organisation's LRS (404 `lrs_not_configured` when there is none), `PUT` sets it (an empty or
    missing `secret` keeps the stored one), `DELETE` forgets it. The secret is never returned."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        endpoint = serializers.CharField(max_length=500, help_text="https://…, e.g. https://lrs.example.edu/xapi/")
        key = serializers.CharField(max_length=200)
        secret = serializers.CharField(max_length=200, required=False, allow_blank=True, write_only=True,
                                       help_text="Required the first time; empty keeps the stored secret.")
        is_active = serializers.BooleanField(required=False, default=True)

    @extend_schema(operation_id="xapi_lrs_retrieve", tags=XAPI_TAG, responses=LrsConfigOutputSerializer)
    def get(self, request: Request) -> Response:
        config = services.lrs_config_get()
        if config is None:
            raise NotFoundError("No LRS is configured.", code=Code.LRS_NOT_CONFIGURED)
        return Response(LrsConfigOutputSerializer(config).data)

    @extend_schema(operation_id="xapi_lrs_update", tags=XAPI_TAG, request=InputSerializer,
                   responses=LrsConfigOutputSerializer,
                   examples=[OpenApiExample("An LRS", request_only=True, value=LRS_EXAMPLE),
                             OpenApiExample("Stored", response_only=True, value={
                                 "endpoint": "https://lrs.example.edu/xapi/", "key": "mooc-platform",
                                 "has_secret": True, "is_active": True, "updated_at": "2026-12-02T10:00:00Z"})])
    def put(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        config = services.lrs_config_save(actor=request.user, endpoint=data.validated_data["endpoint"],
                                          key=data.validated_data["key"],
                                          secret=data.validated_data.get("secret"),
                                          is_active=data.validated_data["is_active"])
        return Response(LrsConfigOutputSerializer(config).data)

    @extend_schema(operation_id="xapi_lrs_delete", tags=XAPI_TAG, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not services.lrs_config_delete(actor=request.user):
            raise NotFoundError("No LRS is configured.", code=Code.LRS_NOT_CONFIGURED)
        return Response(status=204)


class XapiStatementListApi(PaginatedListMixin, APIView):
    """`GET` the statements for the LRS, newest first, with their status and the reason of a failure."""

    permission_classes = [IsTenantAdministrator]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=XapiStatement.Status.choices, required=False)

    @extend_schema(operation_id="xapi_statements_list", tags=XAPI_TAG,
                   parameters=[OpenApiParameter("status", enum=XapiStatement.Status.values, required=False)],
                   responses=XapiStatementOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(queryset=selectors.xapi_statements(status=filters.validated_data.get("status")),
                                  serializer_class=XapiStatementOutputSerializer, request=request, view=self)


class XapiStatementRetryApi(APIView):
    """`POST` sends every failed statement again (after the LRS settings were fixed)."""

    permission_classes = [IsTenantAdministrator]

    class OutputSerializer(serializers.Serializer):
        queued = serializers.IntegerField(help_text="How many failed statements were queued again.")

    @extend_schema(operation_id="xapi_statements_retry", tags=XAPI_TAG, request=None,
                   responses={202: OutputSerializer},
                   examples=[OpenApiExample("Queued", response_only=True, status_codes=["202"],
                                            value={"queued": 3})])
    def post(self, request: Request) -> Response:
        return Response({"queued": services.xapi_statements_retry(actor=request.user)}, status=202)
