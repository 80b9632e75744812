"""Customer organisations (tenants), their host names, and the platform's audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from mooc_platform.i18n import LANGUAGES


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
    language = models.CharField(max_length=8, default="fr", choices=LANGUAGES)
    seat_limit = models.PositiveIntegerField(default=50)
    storage_quota_bytes = models.BigIntegerField(default=10 * 1024**3)
    storage_used_bytes = models.BigIntegerField(default=0)
    custom_domains_allowed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=200, blank=True)
    access_ends_at = models.DateTimeField(null=True, blank=True)
    # Set when an operator terminates the contract (SPEC R13): final for the customer, who cannot resubscribe
    # itself; only an operator lifts it (`tenant_termination_lift`).
    terminated_at = models.DateTimeField(null=True, blank=True)
    retention_ends_at = models.DateTimeField(null=True, blank=True)
    # Reminders before destruction (SPEC R14): sent once each, reset by a resubscription.
    reminder_30_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_7_sent_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    # Schemas are created by tenants.services.tenant_provision (cloned from the template), never
    # implicitly on save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        indexes = [
            # The lifecycle sweep selects by state and date (SPEC §5: set-based, 10,000 tenants <= 5 s).
            models.Index(fields=["state", "access_ends_at"], name="tenant_state_access_idx"),
            models.Index(fields=["state", "retention_ends_at"], name="tenant_state_retention_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_ends_at__isnull=True) | models.Q(access_ends_at__isnull=False),
                name="tenant_retention_after_access",
            ),
        ]

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
    actor_email = models.CharField(max_length=254, blank=True, help_text=_("Empty for the system."))
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


class CustomDomain(models.Model):
    """A custom host name requested by a customer (plans that include it, SPEC R1). It routes only
    once its DNS TXT token is verified and an operator approved it: then a `Domain` row is created."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="custom_domains")
    domain = models.CharField(max_length=253, unique=True)
    verification_token = models.CharField(max_length=64)
    requested_by_email = models.CharField(max_length=254, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by_email = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class DestructionRecord(models.Model):
    """What a purge destroyed and when (SPEC R12, R15); also the purge's progress, so that an
    interrupted purge resumes where it stopped. Kept after the tenant's schema is gone."""

    tenant = models.OneToOneField(Tenant, on_delete=models.PROTECT, related_name="destruction_record")
    slug = models.CharField(max_length=63)
    name = models.CharField(max_length=200)
    schema_name = models.CharField(max_length=63)
    access_ends_at = models.DateTimeField(null=True, blank=True)
    retention_ends_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    s3_completed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    tables = models.JSONField(default=dict, blank=True, help_text=_("Table name -> rows dropped."))
    objects_deleted = models.PositiveIntegerField(default=0, help_text=_("S3 object versions and delete markers."))
    bytes_deleted = models.BigIntegerField(default=0)
    domains_deleted = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Destruction of {self.slug} ({self.started_at:%Y-%m-%d})"

    def as_document(self) -> dict:
        """The record as operators download it (JSON)."""
        def iso(value):  # type: ignore[no-untyped-def]
            return value.isoformat() if value else None

        return {
            "tenant_id": self.tenant_id, "slug": self.slug, "name": self.name, "schema_name": self.schema_name,
            "access_ends_at": iso(self.access_ends_at), "retention_ends_at": iso(self.retention_ends_at),
            "started_at": iso(self.started_at), "s3_completed_at": iso(self.s3_completed_at),
            "completed_at": iso(self.completed_at), "tables": self.tables,
            "rows_dropped": sum(self.tables.values()), "objects_deleted": self.objects_deleted,
            "bytes_deleted": self.bytes_deleted, "domains_deleted": self.domains_deleted,
        }


class TenantExport(models.Model):
    """A full export of a tenant's data (SPEC R14): a zip on S3 built by a Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="exports")
    requested_by_email = models.CharField(max_length=254)
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    completed_at = models.DateTimeField(null=True, blank=True)
    s3_key = models.CharField(max_length=500, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Export {self.pk} of {self.tenant_id} ({self.status})"


class SupportAccessGrant(models.Model):
    """A customer administrator's consent for operators to see part of its content (SPEC R19,
    GCS art. 5), for a limited time (at most 30 days), revocable."""

    class Scope(models.TextChoices):
        USERS = "users", _("Users (names, e-mails, roles)")
        COURSES = "courses", _("Courses")
        ALL = "all", _("Users and courses")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="support_grants")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    reason = models.CharField(max_length=500, blank=True)
    granted_by_email = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_email = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Support grant {self.pk} ({self.scope}) for {self.tenant_id}"

    def covers(self, *, scope: str, now) -> bool:  # type: ignore[no-untyped-def]
        return (self.revoked_at is None and self.expires_at > now
                and (self.scope == scope or self.scope == self.Scope.ALL))


class RoutingVersion(models.Model):
    """One row whose `value` moves whenever a tenant or domain row changes, in the transaction that
    changes it (database triggers, migration 0004): every process compares it with the version its
    host -> tenant cache was filled at, so no process routes by a state older than the last commit
    (tenants.routing). Deferred triggers take the row lock only at commit: no deadlock between
    transactions that touch several tenants."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Routing version {self.value}"
