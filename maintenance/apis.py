"""Maintenance windows in the API (SPEC §4). Platform host: operators schedule, move and cancel.
Tenant host: members read the windows of their own organisation. Errors leave as
{"error": {"code", "message", "details"}} through the project's exception handler."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from maintenance.errors import Code
from mooc_platform.business_time import platform_tz
from mooc_platform.errors import ApplicationError
from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsOperator, IsTenantMember
from tenants.models import Tenant

from .models import MaintenanceWindow
from .selectors import maintenance_windows_of_tenant, sla_report_monthly_all_tenants
from .services import maintenance_window_cancel, maintenance_window_move, maintenance_window_schedule


class TenantRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class QuizDeadlineSerializer(serializers.Serializer):
    tenant_slug = serializers.CharField()
    tenant_name = serializers.CharField()
    course_id = serializers.IntegerField()
    course_title = serializers.CharField()
    lesson_id = serializers.IntegerField()
    lesson_title = serializers.CharField()
    deadline = serializers.CharField(help_text="ISO 8601, UTC")


class WindowOutputSerializer(serializers.Serializer):
    """An operator's view of a window (the internal reason and the justification included)."""

    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    scope = serializers.CharField()
    tenants = TenantRefSerializer(many=True, source="tenants.all")
    kind = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()
    justification = serializers.CharField()
    message_fr = serializers.CharField()
    message_en = serializers.CharField()
    revision = serializers.IntegerField()
    announced_at = serializers.DateTimeField(allow_null=True)
    reminder_sent_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    quiz_deadlines_affected = QuizDeadlineSerializer(
        many=True, help_text="Quiz deadlines inside the window when it was scheduled or last moved: the courses "
                             "to warn (their learners' clocks stop during the window).")


class MaintenanceWindowListApi(PaginatedListMixin, APIView):
    """`GET` lists every window (newest first); `POST` schedules one and announces it at once."""

    permission_classes = [IsOperator]

    class InputSerializer(serializers.Serializer):
        start = serializers.DateTimeField(help_text="ISO 8601 with an offset, e.g. 2027-03-27T12:00:00+01:00.")
        end = serializers.DateTimeField()
        scope = serializers.ChoiceField(choices=MaintenanceWindow.Scope.choices)
        tenant_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
        reason = serializers.CharField()
        message_fr = serializers.CharField()
        message_en = serializers.CharField()
        emergency = serializers.BooleanField(default=False)
        justification = serializers.CharField(required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "MaintenanceWindowScheduleInput"

    @extend_schema(operation_id="maintenance_windows_list",
                   responses=WindowOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        windows = MaintenanceWindow.objects.prefetch_related("tenants").order_by("-start", "-id")
        return paginated_response(queryset=windows, serializer_class=WindowOutputSerializer, request=request,
                                  view=self)

    @extend_schema(operation_id="maintenance_windows_schedule", request=InputSerializer,
                   responses={201: WindowOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ids = values.pop("tenant_ids")
        tenants = list(Tenant.objects.filter(id__in=ids))
        if len(tenants) != len(set(ids)):
            raise ApplicationError("Unknown organisation.", code=Code.MAINTENANCE_SCOPE_INVALID,
                                   details={"tenant_ids": sorted(set(ids) - {t.id for t in tenants})})
        window = maintenance_window_schedule(**values, tenants=tenants, actor=request.user)
        return Response(WindowOutputSerializer(window).data, status=201)


class MaintenanceWindowDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(operation_id="maintenance_windows_retrieve", responses=WindowOutputSerializer)
    def get(self, request: Request, window_id: int) -> Response:
        return Response(WindowOutputSerializer(get_object_or_404(MaintenanceWindow, id=window_id)).data)


class MaintenanceWindowMoveApi(APIView):
    """Move a window: the rules are checked again against the new start; notices are sent again."""

    permission_classes = [IsOperator]

    class InputSerializer(serializers.Serializer):
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()

        class Meta:
            ref_name = "MaintenanceWindowMoveInput"

    @extend_schema(request=InputSerializer, responses=WindowOutputSerializer)
    def post(self, request: Request, window_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        window = get_object_or_404(MaintenanceWindow, id=window_id)
        window = maintenance_window_move(window=window, actor=request.user, **data.validated_data)
        return Response(WindowOutputSerializer(window).data)


class MaintenanceWindowCancelApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=WindowOutputSerializer)
    def post(self, request: Request, window_id: int) -> Response:
        window = get_object_or_404(MaintenanceWindow, id=window_id)
        window = maintenance_window_cancel(window=window, actor=request.user)
        return Response(WindowOutputSerializer(window).data)


class SlaReportApi(APIView):
    """`GET /api/v1/sla-reports/?month=2026-11`: availability of every organisation for that month, against the
    target (SPEC R26): emergency windows and unplanned incidents count, planned windows and force majeure do not."""

    permission_classes = [IsOperator]

    class OutputSerializer(serializers.Serializer):
        tenant_id = serializers.IntegerField()
        tenant_slug = serializers.CharField()
        tenant_name = serializers.CharField()
        month = serializers.CharField()
        month_seconds = serializers.IntegerField()
        announced_maintenance_seconds = serializers.IntegerField()
        unannounced_downtime_seconds = serializers.IntegerField()
        availability_percent = serializers.DecimalField(max_digits=7, decimal_places=3)
        incident_seconds = serializers.IntegerField(help_text="Unplanned incidents (force majeure apart).")
        force_majeure_seconds = serializers.IntegerField(
            help_text="Force-majeure incidents: reported, not counted against the target (GCS art. 8).")
        target_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
        target_met = serializers.BooleanField()

        class Meta:
            ref_name = "SlaReportRow"

    @extend_schema(parameters=[OpenApiParameter("month", str, description="YYYY-MM (Europe/Paris)")],
                   responses=inline_serializer(name="SlaReport", fields={
                       "month": serializers.CharField(), "results": OutputSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        month = parse_month(request.query_params.get("month", ""))
        rows = sla_report_monthly_all_tenants(month=month)
        return Response({"month": f"{month:%Y-%m}", "results": self.OutputSerializer(rows, many=True).data})


def parse_month(value: str) -> date:
    """'2026-11' → date(2026, 11, 1); empty → the current month in Europe/Paris."""
    if not value:

        today = timezone.now().astimezone(platform_tz()).date()
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError as exc:
        raise ApplicationError("month must look like 2026-11.", code=Code.INVALID_MONTH,
                               details={"month": value}) from exc


class TenantMaintenanceWindowListApi(PaginatedListMixin, APIView):
    """Tenant host: the announced windows of this organisation (its own scope only), newest first."""

    permission_classes = [IsTenantMember]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()
        kind = serializers.CharField()
        status = serializers.CharField()
        message_fr = serializers.CharField()
        message_en = serializers.CharField()
        announced_at = serializers.DateTimeField()
        in_force = serializers.SerializerMethodField()

        class Meta:
            ref_name = "TenantMaintenanceWindow"

        def get_in_force(self, window: MaintenanceWindow) -> bool:
            now = self.context["now"]
            return window.status == MaintenanceWindow.Status.SCHEDULED and window.start <= now < window.end

    @extend_schema(operation_id="tenant_maintenance_windows_list",
                   responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        windows = maintenance_windows_of_tenant(schema_name=connection.schema_name)
        return paginated_response(queryset=windows, serializer_class=self.OutputSerializer, request=request,
                                  view=self, context={"now": timezone.now()})
