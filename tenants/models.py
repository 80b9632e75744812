"""Customer organisations (tenants), their host names, and the platform's audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """One customer organisation = one PostgreSQL schema (SPEC R1). The `public` row is the platform."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled (access until the paid-through date)")
        RETENTION = "retention", _("Retention (access ended, data kept 180 days)")
        PURGED = "purged", _("Destroyed")

    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    language = models.CharField(max_length=8, default="fr", choices=[("en", "English"), ("fr", "Français")])
    seat_limit = models.PositiveIntegerField(default=50)
    storage_quota_bytes = models.BigIntegerField(default=10 * 1024**3)
    storage_used_bytes = models.BigIntegerField(default=0)
    custom_domains_allowed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=200, blank=True)
    access_ends_at = models.DateTimeField(null=True, blank=True)
    retention_ends_at = models.DateTimeField(null=True, blank=True)

    # Schemas are created by tenants.services.tenant_provision (cloned from the template), never
    # implicitly on save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_platform(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME


class Domain(DomainMixin):
    """A host name that routes to a tenant: `<slug>.PLATFORM_DOMAIN` (primary) or a custom domain."""

    verification_token = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.domain


class AuditEvent(models.Model):
    """Who changed what, when, with the state before and after (SPEC §2). Append-only."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_email = models.CharField(max_length=254, blank=True, help_text="Empty for the system.")
    actor_schema = models.CharField(max_length=63, blank=True)
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=80, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
