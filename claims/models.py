"""A claim (or support request) of a customer administrator and the messages exchanged about it.

GCS art. 13: "Any claim … must be formulated by the Customer at the latest 48 hours after the event that
generated it, under penalty of forfeiture." The claim is timestamped by the platform when it is received
(`received_at`, never given by the client) and `late` says whether that was more than 48 hours after the
event; the database holds both facts in step (check constraints)."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from invoicing.models import Invoice
from maintenance.models import MaintenanceWindow
from tenants.models import Tenant

# GCS art. 13: a claim filed later than this after its event is flagged late (forfeiture is the operator's call).
CLAIM_DEADLINE = timedelta(hours=48)


class Claim(models.Model):
    class Kind(models.TextChoices):
        CLAIM = "claim", _("Claim")
        SUPPORT = "support", _("Support request")

    class Category(models.TextChoices):
        INVOICE = "invoice", _("An invoice")
        MAINTENANCE = "maintenance", _("A maintenance window")
        INCIDENT = "incident", _("An incident")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLAIM)
    category = models.CharField(max_length=12, choices=Category.choices)
    invoice = models.ForeignKey(Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="claims")
    maintenance_window = models.ForeignKey(MaintenanceWindow, on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="claims")
    # Incidents are recorded by the maintenance app (issue 15 item 5): until a claim can point at one, the
    # administrator names it freely (date, what happened, a reference from the status page).
    incident_reference = models.CharField(max_length=200, blank=True)
    event_at = models.DateTimeField(help_text=_("When the event the claim is about happened (UTC)."))
    received_at = models.DateTimeField(db_index=True, help_text=_("When the platform received the claim (UTC)."))
    late = models.BooleanField(default=False, help_text=_("Filed more than 48 hours after the event (GCS art. 13)."))
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    # The filer, by value (a user of the tenant's schema); emptied by the anonymisation of a purge or an erasure.
    filed_by_user_id = models.PositiveIntegerField(null=True, blank=True)
    filed_by_email = models.CharField(max_length=254, blank=True)
    filed_by_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, default="en")
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(event_at__lte=F("received_at")), name="claim_event_not_after_receipt"),
            models.CheckConstraint(
                condition=Q(late=True, received_at__gt=F("event_at") + CLAIM_DEADLINE)
                | Q(late=False, received_at__lte=F("event_at") + CLAIM_DEADLINE),
                name="claim_late_iff_after_48_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "C-new"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ClaimMessage(models.Model):
    """One message in a claim's thread: an operator's reply or the administrator's follow-up."""

    class Author(models.TextChoices):
        OPERATOR = "operator", _("Operator")
        CUSTOMER = "customer", _("Customer")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    author_email = models.CharField(max_length=254, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} on {self.claim_id} at {self.created_at:%Y-%m-%d %H:%M}"
