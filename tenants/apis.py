"""Tenants API. Platform host (operators): /api/v1/tenants/ (+ suspend, reinstate, terminate,
destruction record, support reads), /api/v1/audit-events/. Tenant host (administrators):
/api/v1/tenant/ (state, timeline, storage), /api/v1/exports/, /api/v1/support-access-grants/,
/api/v1/audit-events/. Errors: {"error": {"code", "message", "details"}} (SPEC §4)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import NotFoundError
from mooc_platform.http import client_ip
from mooc_platform.i18n import LANGUAGE_CODES
from mooc_platform.input_guards import parse_id
from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsOperator, IsTenantAdministrator

from . import services
from .dns import verification_record_name
from .exports import export_download_url
from .models import AuditEvent, CustomDomain, DestructionRecord, SupportAccessGrant, Tenant, TenantExport
from .selectors import audit_events_all, audit_events_for_tenant, tenant_storage_status, tenant_timeline


class TenantOutputSerializer(serializers.ModelSerializer):
    domains = serializers.SerializerMethodField()
    storage = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["id", "slug", "name", "schema_name", "state", "language", "seat_limit", "storage_quota_bytes",
                  "storage_used_bytes", "custom_domains_allowed", "created_at", "suspended_at", "suspension_reason",
                  "access_ends_at", "terminated_at", "retention_ends_at", "reminder_30_sent_at", "reminder_7_sent_at",
                  "purged_at",
                  "domains", "storage"]

    def get_domains(self, tenant: Tenant) -> list[str]:
        return [d.domain for d in tenant.domains.all()]

    def get_storage(self, tenant: Tenant) -> dict[str, Any]:
        return tenant_storage_status(tenant=tenant)


def _operator_tenant(pk: int) -> Tenant:
    tenant = Tenant.objects.exclude(schema_name="public").filter(pk=pk).first()
    if tenant is None:
        raise NotFoundError("No such tenant.")
    return tenant


class TenantListApi(PaginatedListMixin, APIView):
    """Operators: list tenants (filter `?state=`) and provision one."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="TenantCreateInput")
    class InputSerializer(serializers.Serializer):
        slug = serializers.CharField(max_length=63)
        name = serializers.CharField(max_length=200)
        admin_email = serializers.EmailField()
        seat_limit = serializers.IntegerField(min_value=1, default=50)
        storage_quota_bytes = serializers.IntegerField(min_value=0, default=10 * 1024**3)
        language = serializers.ChoiceField(choices=LANGUAGE_CODES, default="fr")
        custom_domains_allowed = serializers.BooleanField(default=False)

    @extend_schema(responses=TenantOutputSerializer(many=True),
                   parameters=[OpenApiParameter("state", str, enum=Tenant.State.values)])
    def get(self, request: Request) -> Response:
        tenants = Tenant.objects.exclude(schema_name="public").prefetch_related("domains").order_by("id")
        if request.query_params.get("state"):
            tenants = tenants.filter(state=request.query_params["state"])
        return paginated_response(queryset=tenants, serializer_class=TenantOutputSerializer,
                                  request=request, view=self)

    @extend_schema(request=InputSerializer, responses={201: TenantOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = services.tenant_provision(**data.validated_data, actor=request.user)
        return Response(TenantOutputSerializer(tenant).data, status=status.HTTP_201_CREATED)


class TenantDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=TenantOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(TenantOutputSerializer(_operator_tenant(pk)).data)


class TenantSuspendApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="TenantSuspendInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=200)

    @extend_schema(request=InputSerializer, responses=TenantOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = services.tenant_suspend(tenant=_operator_tenant(pk), reason=data.validated_data["reason"],
                                         actor=request.user)
        return Response(TenantOutputSerializer(tenant).data)


class TenantReinstateApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=TenantOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        tenant = services.tenant_reinstate(tenant=_operator_tenant(pk), actor=request.user)
        return Response(TenantOutputSerializer(tenant).data)


class TenantTerminationLiftApi(APIView):
    """Operators lift a termination (GCS art. 3: final for the customer, only the platform lifts it), audited with
    the reason: the customer may then subscribe again during retention. Termination itself is
    `POST …/terminate/` (invoicing: it closes the subscription)."""

    permission_classes = [IsOperator]

    @extend_schema_serializer(component_name="TenantTerminationLiftInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses=TenantOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = services.tenant_termination_lift(tenant=_operator_tenant(pk), reason=data.validated_data["reason"],
                                                  actor=request.user)
        return Response(TenantOutputSerializer(tenant).data)


class DestructionRecordApi(APIView):
    """Operators download what a purge destroyed (JSON attachment)."""

    permission_classes = [IsOperator]

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> HttpResponse:
        record = DestructionRecord.objects.filter(tenant_id=pk).first()
        if record is None:
            raise NotFoundError("This tenant has no destruction record.")
        response = JsonResponse(record.as_document(), json_dumps_params={"indent": 2})
        response["Content-Disposition"] = f'attachment; filename="destruction-{record.slug}.json"'
        return response


class SupportContentApi(APIView):
    """Operators read a tenant's users or courses, only under a valid grant; each read is audited."""

    permission_classes = [IsOperator]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int, resource: str) -> Response:
        rows = services.support_content_read(tenant=_operator_tenant(pk), resource=resource, operator=request.user,
                                             ip_address=client_ip(request))
        return Response({"results": rows})


class AuditEventOutputSerializer(serializers.ModelSerializer):
    tenant_slug = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor_email", "actor_schema", "tenant", "tenant_slug", "action",
                  "target_type", "target_id", "before", "after", "ip_address"]

    def get_tenant_slug(self, event: AuditEvent) -> str | None:
        return event.tenant.slug if event.tenant_id else None


class PlatformAuditEventListApi(PaginatedListMixin, APIView):
    """Operators: every audit event; filters `?tenant=<id>` and `?action=<prefix>`."""

    permission_classes = [IsOperator]

    @extend_schema(responses=AuditEventOutputSerializer(many=True),
                   parameters=[OpenApiParameter("tenant", int), OpenApiParameter("action", str)])
    def get(self, request: Request) -> Response:
        tenant = request.query_params.get("tenant")
        if tenant is not None and parse_id(tenant) is None:
            raise NotFoundError("No such tenant.")
        events = audit_events_all(tenant_id=parse_id(tenant) if tenant else None,
                                  action=request.query_params.get("action"))
        return paginated_response(queryset=events, serializer_class=AuditEventOutputSerializer,
                                  request=request, view=self)


# --- Tenant host (customer administrators) -------------------------------------------------------


class TenantAuditEventListApi(PaginatedListMixin, APIView):
    """Administrators: the audit events of their own organisation, support accesses included."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(responses=AuditEventOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        events = audit_events_for_tenant(tenant=request.tenant).select_related("tenant")
        if request.query_params.get("action"):
            events = events.filter(action__startswith=request.query_params["action"])
        return paginated_response(queryset=events, serializer_class=AuditEventOutputSerializer,
                                  request=request, view=self)


class TenantStatusApi(APIView):
    """Administrators: the organisation's state, dates, timeline and storage usage."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        tenant = Tenant.objects.get(pk=request.tenant.pk)
        steps = [{**s, "at": s["at"].isoformat()} for s in tenant_timeline(tenant=tenant, now=timezone.now())]
        return Response({"slug": tenant.slug, "name": tenant.name, "state": tenant.state,
                         "access_ends_at": tenant.access_ends_at, "retention_ends_at": tenant.retention_ends_at,
                         "timeline": steps, "storage": tenant_storage_status(tenant=tenant)})


class ExportOutputSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = TenantExport
        fields = ["id", "status", "requested_by_email", "requested_at", "completed_at", "size_bytes", "manifest",
                  "download_url"]

    def get_download_url(self, export: TenantExport) -> str | None:
        """A presigned link valid 15 minutes, for ready exports."""
        return export_download_url(export=export)


class ExportListApi(PaginatedListMixin, APIView):
    """Administrators: request a full export (202) and list exports with short-lived download links."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(responses=ExportOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        exports = TenantExport.objects.filter(tenant=request.tenant).select_related("tenant")
        return paginated_response(queryset=exports, serializer_class=ExportOutputSerializer,
                                  request=request, view=self)

    @extend_schema(request=None, responses={202: ExportOutputSerializer})
    def post(self, request: Request) -> Response:
        export = services.tenant_export_request(tenant=request.tenant, actor=request.user)
        return Response(ExportOutputSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class SupportGrantOutputSerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField()
    accesses = serializers.SerializerMethodField()

    class Meta:
        model = SupportAccessGrant
        fields = ["id", "scope", "reason", "granted_by_email", "created_at", "expires_at", "revoked_at",
                  "revoked_by_email", "active", "accesses"]

    def get_active(self, grant: SupportAccessGrant) -> bool:
        return grant.revoked_at is None and grant.expires_at > timezone.now()

    def get_accesses(self, grant: SupportAccessGrant) -> list[dict[str, Any]]:
        """Every operator read made under this grant (who, when, what)."""
        events = AuditEvent.objects.filter(tenant_id=grant.tenant_id, action="support.accessed",
                                           target_type="SupportAccessGrant", target_id=str(grant.pk))
        return [{"at": e.created_at, "operator": e.actor_email, "resource": e.after.get("resource"),
                 "ip_address": e.ip_address} for e in events]


class SupportGrantListApi(PaginatedListMixin, APIView):
    """Administrators: grant operators access to part of the content (expiry at most 30 days)."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema_serializer(component_name="SupportGrantInput")
    class InputSerializer(serializers.Serializer):
        scope = serializers.ChoiceField(choices=SupportAccessGrant.Scope.values)
        expires_at = serializers.DateTimeField()
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(responses=SupportGrantOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(queryset=SupportAccessGrant.objects.filter(tenant=request.tenant),
                                  serializer_class=SupportGrantOutputSerializer, request=request, view=self)

    @extend_schema(request=InputSerializer, responses={201: SupportGrantOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.support_grant_create(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(SupportGrantOutputSerializer(grant).data, status=status.HTTP_201_CREATED)


class SupportGrantRevokeApi(APIView):
    permission_classes = [IsTenantAdministrator]

    @extend_schema(request=None, responses=SupportGrantOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        grant = get_object_or_404(SupportAccessGrant, pk=pk, tenant=request.tenant)
        return Response(SupportGrantOutputSerializer(services.support_grant_revoke(grant=grant,
                                                                                   actor=request.user)).data)


# --- Custom domains (SPEC R1) ---------------------------------------------------------------------------


class CustomDomainOutputSerializer(serializers.ModelSerializer):
    verification_record = serializers.SerializerMethodField()

    class Meta:
        model = CustomDomain
        fields = ["id", "tenant", "domain", "verification_token", "verification_record", "requested_by_email",
                  "requested_at", "verified_at", "approved_at"]

    def get_verification_record(self, custom: CustomDomain) -> dict[str, str]:
        """The DNS record the customer publishes to prove the domain is theirs."""
        return {"type": "TXT", "name": verification_record_name(domain=custom.domain),
                "value": custom.verification_token}


class CustomDomainListApi(PaginatedListMixin, APIView):
    """Administrators (plans with custom domains): request a domain; it routes once the DNS record is
    verified and an operator approved it."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema_serializer(component_name="CustomDomainInput")
    class InputSerializer(serializers.Serializer):
        domain = serializers.CharField(max_length=253)

    @extend_schema(responses=CustomDomainOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(queryset=CustomDomain.objects.filter(tenant=request.tenant),
                                  serializer_class=CustomDomainOutputSerializer, request=request, view=self)

    @extend_schema(request=InputSerializer, responses={201: CustomDomainOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        custom = services.custom_domain_request(tenant=request.tenant, domain=data.validated_data["domain"],
                                                actor=request.user)
        return Response(CustomDomainOutputSerializer(custom).data, status=status.HTTP_201_CREATED)


class CustomDomainVerifyApi(APIView):
    permission_classes = [IsTenantAdministrator]

    @extend_schema(request=None, responses=CustomDomainOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        custom = get_object_or_404(CustomDomain, pk=pk, tenant=request.tenant)
        return Response(CustomDomainOutputSerializer(services.custom_domain_verify(custom_domain=custom)).data)


class PlatformCustomDomainListApi(PaginatedListMixin, APIView):
    """Operators: custom domains awaiting approval (`?pending=1`) or all."""

    permission_classes = [IsOperator]

    @extend_schema(responses=CustomDomainOutputSerializer(many=True),
                   parameters=[OpenApiParameter("pending", bool)])
    def get(self, request: Request) -> Response:
        domains = CustomDomain.objects.order_by("id")
        if request.query_params.get("pending") in ("1", "true"):
            domains = domains.filter(approved_at__isnull=True)
        return paginated_response(queryset=domains, serializer_class=CustomDomainOutputSerializer,
                                  request=request, view=self)


class PlatformCustomDomainApproveApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=CustomDomainOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        custom = CustomDomain.objects.filter(pk=pk).first()
        if custom is None:
            raise NotFoundError("No such custom domain.")
        services.custom_domain_approve(custom_domain=custom, actor=request.user)
        return Response(CustomDomainOutputSerializer(custom).data)
