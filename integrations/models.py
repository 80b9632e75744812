"""Outgoing webhooks and API keys of an organisation (issue 17 items 3 and 4). Tenant schema: no foreign key
into `public` (SPEC §2)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    """A customer's URL that receives the events it subscribed to, signed with its own secret."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # The HMAC key must be readable to sign: stored as is, shown to administrators only.
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    # First failed attempt of the current run of failures; cleared by a success (24 h of failures disable).
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One occurrence of a business event, as sent (the same payload to every endpoint and on replay)."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.status})"


class WebhookAttempt(models.Model):
    """Every HTTP attempt of a delivery, kept for the delivery log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)  # an excerpt
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    manual = models.BooleanField(default=False)  # a replay asked by an administrator

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


class ApiKey(models.Model):
    """A named key of an integration: scopes, expiry, rate limit; only a hash of the key is kept."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(default=120)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(rate_limit_per_minute__gte=1),
                                              name="api_key_rate_limit_positive")]

    def __str__(self) -> str:
        return self.name

    def is_usable(self, now: object) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)  # type: ignore[operator]


class IdentityProvider(models.Model):
    """A single sign-on identity provider of the organisation (issue 17 item 1): OpenID Connect or SAML 2.0.

    The OIDC client secret is kept as is (it must be sent to the provider) and shown back masked only."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    class Provisioning(models.TextChoices):
        JIT = "jit", _("Create unknown users on first sign-in, within the seat limit")
        EXISTING = "existing", _("Existing users only")

    name = models.CharField(_("name shown on the sign-in page"), max_length=100)
    protocol = models.CharField(_("protocol"), max_length=8, choices=Protocol.choices)
    is_active = models.BooleanField(_("enabled"), default=True)
    provisioning = models.CharField(_("users"), max_length=16, choices=Provisioning.choices,
                                    default=Provisioning.EXISTING)
    # The role a user created on the fly receives when the role claim/attribute says nothing known.
    default_role = models.CharField(_("default role"), max_length=20, default="learner")
    # Claim (OIDC) or attribute (SAML) names.
    email_attribute = models.CharField(_("e-mail claim or attribute"), max_length=200, default="email")
    name_attribute = models.CharField(_("name claim or attribute"), max_length=200, default="name", blank=True)
    role_attribute = models.CharField(_("role claim or attribute"), max_length=200, blank=True)
    # The IdP's value → our role: {"staff": "instructor", "it-admins": "administrator"}.
    role_mapping = models.JSONField(_("role mapping"), default=dict, blank=True)
    # OpenID Connect
    discovery_url = models.URLField(_("discovery URL"), max_length=500, blank=True)
    client_id = models.CharField(_("client ID"), max_length=255, blank=True)
    client_secret = models.CharField(max_length=500, blank=True)
    scopes = models.CharField(_("scopes"), max_length=300, default="openid email profile", blank=True)
    # SAML 2.0: the IdP's metadata (fetched from the URL when one is given, kept as XML).
    metadata_url = models.URLField(_("IdP metadata URL"), max_length=500, blank=True)
    metadata_xml = models.TextField(_("IdP metadata XML"), blank=True)
    idp_entity_id = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(protocol__in=["oidc", "saml"]),
                                              name="identity_provider_protocol")]

    def __str__(self) -> str:
        return self.name

    @property
    def client_secret_masked(self) -> str:
        """The secret as shown back: its last four characters only."""
        if not self.client_secret:
            return ""
        return "••••" + self.client_secret[-4:] if len(self.client_secret) > 8 else "••••"


class SsoPolicy(models.Model):
    """The organisation's sign-in policy, one row (pk=1): password next to SSO, or SSO only."""

    class Mode(models.TextChoices):
        SSO_AND_PASSWORD = "sso_and_password", _("SSO and password")
        SSO_ONLY = "sso_only", _("SSO only (administrators keep their password, in case the IdP fails)")

    mode = models.CharField(_("sign-in policy"), max_length=20, choices=Mode.choices, default=Mode.SSO_AND_PASSWORD)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.mode


class SsoRequest(models.Model):
    """A sign-in started with an IdP and not finished yet: the OIDC state and nonce, or the SAML request id.
    Used once (deleted on return): a replayed answer finds nothing. Kept in the database, not the session, since a
    SAML answer is POSTed from the IdP's site and the session cookie (SameSite=Lax) does not come with it."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, unique=True)  # the OIDC state or the SAML request id
    nonce = models.CharField(max_length=200, blank=True)
    next_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class LrsConfig(models.Model):
    """The organisation's Learning Record Store (issue 17 item 5): one row per tenant schema. The secret must
    be readable to authenticate (HTTP Basic): it is stored as is and never shown back, in a page or the API."""

    endpoint = models.URLField(_("LRS endpoint"), max_length=500)
    key = models.CharField(_("key"), max_length=200)
    secret = models.CharField(max_length=200)
    is_active = models.BooleanField(_("send statements"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    singleton = models.BooleanField(default=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["singleton"], name="lrs_config_one_per_tenant"),
                       models.CheckConstraint(condition=models.Q(singleton=True), name="lrs_config_singleton")]

    def __str__(self) -> str:
        return self.endpoint


class XapiStatement(models.Model):
    """One xAPI statement for the LRS, kept as sent (the same id on every retry: the LRS stores it once)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    statement_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    verb = models.CharField(max_length=32)
    event_type = models.CharField(max_length=64)
    statement = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts_count = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="xapi_statement_status")]

    def __str__(self) -> str:
        return f"{self.verb} {self.statement_id}"


class CartridgeExport(models.Model):
    """An IMS Common Cartridge 1.3 of a course, built by a Celery task and stored on S3 (issue 17 item 5)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        BUILDING = "building", _("building")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="cartridge_exports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent of the lessons written
    key = models.CharField(max_length=400, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="cartridge_progress_max")]

    def __str__(self) -> str:
        return f"cartridge {self.pk} of course {self.course_id} ({self.status})"
