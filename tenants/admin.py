"""Operator console pages: tenants with their dates, destruction records (JSON download), audit log."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from mooc_platform.admin_actions import apply_to_each

from . import services
from .models import AuditEvent, CustomDomain, DestructionRecord, Domain, SupportAccessGrant, Tenant, TenantExport


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary", "verified_at"]
    # A host outside ALLOWED_HOSTS routes only when verified (tenants.routing): that date is
    # set by the verification and approval services, never typed in.
    readonly_fields = ["verified_at"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "state", "access_ends_at", "retention_ends_at", "storage_used_bytes",
                    "storage_quota_bytes", "seat_limit"]
    list_filter = ["state"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "slug", "state", "created_at", "suspended_at", "suspension_reason",
                       "access_ends_at", "retention_ends_at", "reminder_30_sent_at", "reminder_7_sent_at",
                       "purged_at", "storage_used_bytes"]
    inlines = [DomainInline]
    actions = ["reinstate"]

    @admin.action(description="Reinstate the selected suspended tenants")
    def reinstate(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        apply_to_each(request, queryset, lambda tenant: services.tenant_reinstate(tenant=tenant, actor=request.user),
                      done="Tenants reinstated", label=lambda tenant: tenant.slug)

    def has_delete_permission(self, request: HttpRequest, obj: Tenant | None = None) -> bool:
        return False  # tenants are destroyed by the purge only (SPEC R15)


@admin.register(DestructionRecord)
class DestructionRecordAdmin(admin.ModelAdmin):
    list_display = ["slug", "started_at", "completed_at", "objects_deleted", "bytes_deleted", "download"]
    readonly_fields = [f.name for f in DestructionRecord._meta.fields]

    @admin.display(description="JSON")
    def download(self, record: DestructionRecord) -> str:
        return format_html('<a href="{}">download</a>',
                           reverse("api-tenant-destruction-record", args=[record.tenant_id]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: DestructionRecord | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "tenant", "actor_email", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["actor_email", "action"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


@admin.register(CustomDomain)
class CustomDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "requested_at", "verified_at", "approved_at"]
    actions = ["approve"]

    @admin.action(description="Approve the selected verified domains")
    def approve(self, request: HttpRequest, queryset: QuerySet[CustomDomain]) -> None:
        apply_to_each(request, queryset,
                      lambda custom: services.custom_domain_approve(custom_domain=custom, actor=request.user),
                      done="Domains approved", label=lambda custom: custom.domain)


@admin.register(SupportAccessGrant)
class SupportAccessGrantAdmin(admin.ModelAdmin):
    list_display = ["tenant", "scope", "granted_by_email", "created_at", "expires_at", "revoked_at"]
    readonly_fields = [f.name for f in SupportAccessGrant._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(TenantExport)
class TenantExportAdmin(admin.ModelAdmin):
    list_display = ["tenant", "status", "requested_at", "completed_at", "size_bytes"]
    readonly_fields = [f.name for f in TenantExport._meta.fields]
