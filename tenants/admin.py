"""Records of the tenants app under the operator console (/console/…, Django admin, read-only): tenants
with their dates, destruction records (JSON download), the audit log, custom domains, support grants and
exports. Every change goes through the console's pages, which call the services (console/views.py);
records of consent and evidence (grants, audit events, destruction records) can never be edited or
deleted here."""

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, CustomDomain, DestructionRecord, Domain, SupportAccessGrant, Tenant, TenantExport


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail views only: no add, no edit, no delete."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary", "verified_at"]
    # A host outside ALLOWED_HOSTS routes only when verified (tenants.routing): that date is
    # set by the verification and approval services, never typed in.
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Tenant)
class TenantAdmin(ReadOnlyAdmin):
    """Tenants are created by a signed quote only; their state and limits change on the console's tenant
    page (services, confirmation pages, amendment quotes)."""

    list_display = ["name", "slug", "state", "access_ends_at", "retention_ends_at", "storage_used_bytes",
                    "storage_quota_bytes", "seat_limit", "console_page"]
    list_filter = ["state"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "slug", "state", "created_at", "suspended_at", "suspension_reason",
                       "access_ends_at", "retention_ends_at", "reminder_30_sent_at", "reminder_7_sent_at",
                       "purged_at", "storage_used_bytes"]
    inlines = [DomainInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        return super().get_queryset(request).exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)

    @admin.display(description=_("Console"))
    def console_page(self, tenant: Tenant) -> str:
        return format_html('<a href="/console/organisations/{}/">{}</a>', tenant.pk, _("open"))


@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnlyAdmin):
    list_display = ["slug", "started_at", "completed_at", "objects_deleted", "bytes_deleted", "download"]
    readonly_fields = [f.name for f in DestructionRecord._meta.fields]

    @admin.display(description="JSON")
    def download(self, record: DestructionRecord) -> str:
        return format_html('<a href="{}">download</a>',
                           reverse("api-tenant-destruction-record", args=[record.tenant_id]))


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "tenant", "actor_email", "ip_address", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["actor_email", "action", "tenant__slug", "tenant__name"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(CustomDomain)
class CustomDomainAdmin(ReadOnlyAdmin):
    """Approval and removal are buttons of the console's tenant page (services, audited)."""

    list_display = ["domain", "tenant", "requested_at", "verified_at", "approved_at"]
    search_fields = ["domain", "tenant__slug"]


@admin.register(SupportAccessGrant)
class SupportAccessGrantAdmin(ReadOnlyAdmin):
    """The customer's consent (SPEC R19, GCS art. 5): evidence, never edited or deleted by an operator."""

    list_display = ["tenant", "scope", "granted_by_email", "created_at", "expires_at", "revoked_at"]
    readonly_fields = [f.name for f in SupportAccessGrant._meta.fields]


@admin.register(TenantExport)
class TenantExportAdmin(ReadOnlyAdmin):
    list_display = ["tenant", "status", "requested_at", "completed_at", "size_bytes"]
    readonly_fields = [f.name for f in TenantExport._meta.fields]
