"""LTI 1.3 tool of an organisation (issue 17 item 2): its signing keys, the platforms (LMSs) registered by its
administrators, the platform users and resource links it has seen, and the grades it sends back. Tenant schema: no
foreign key into `public` (SPEC §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LtiToolKey(models.Model):
    """An RSA key pair of the tool: the public half is published in the JWKS, the private half signs the service
    token requests and deep-linking responses. Stored encrypted (lti.crypto), never shown or exported."""

    kid = models.CharField(max_length=64, unique=True)
    public_key_pem = models.TextField()
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.kid


class LtiPlatform(models.Model):
    """A platform registration: what the LMS administrator gave the organisation's administrator."""

    name = models.CharField(_("name"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=300)
    client_id = models.CharField(_("client ID"), max_length=200)
    deployment_ids = models.JSONField(_("deployment IDs"), default=list)
    auth_login_url = models.URLField(_("authentication request URL"), max_length=500)
    auth_token_url = models.URLField(_("access token URL"), max_length=500)
    key_set_url = models.URLField(_("public keyset URL"), max_length=500)
    auth_audience = models.CharField(_("token audience"), max_length=500, blank=True)
    # Whether a platform user whose e-mail is already an account's is that account (the LMS is trusted for it).
    match_by_email = models.BooleanField(_("match existing users by e-mail"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_issuer_client")]

    def __str__(self) -> str:
        return self.name


class LtiUserLink(models.Model):
    """A platform user (`sub` of the issuer) is this account of the organisation."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="user_links")
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_links")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "sub"], name="lti_user_link_once")]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.sub}"


class LtiResourceLink(models.Model):
    """A placement of a course or lesson in a platform's course, with the services the last launch offered:
    its line item (Assignment and Grade Services) and roster (Names and Role Provisioning Services)."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="resource_links")
    resource_link_id = models.CharField(max_length=255)
    deployment_id = models.CharField(max_length=255)
    title = models.CharField(max_length=300, blank=True)
    context_id = models.CharField(max_length=255, blank=True)
    context_title = models.CharField(max_length=300, blank=True)
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("courses.Lesson", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    lineitem_url = models.URLField(max_length=500, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list)
    memberships_url = models.URLField(max_length=500, blank=True)
    last_launch_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_launch_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["platform", "resource_link_id"],
                                               name="lti_resource_link_once")]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class LtiLaunch(models.Model):
    """A verified launch: in an iframe, the learner continues in a new window through a one-time link."""

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target_path = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"launch {self.pk}"


class LtiScore(models.Model):
    """A score sent (or to send) to a resource link's line item, with its attempts' outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    resource_link = models.ForeignKey(LtiResourceLink, on_delete=models.CASCADE, related_name="scores")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score_given = models.DecimalField(max_digits=5, decimal_places=2)
    score_maximum = models.DecimalField(max_digits=5, decimal_places=2, default=100)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"score {self.pk} ({self.status})"
