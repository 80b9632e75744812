"""Four-eyes approvals of the operator console (issue 12): termination and purge-now need a second
operator. A request and its decision are evidence: never edited in place, never deleted."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


class ApprovalRequest(models.Model):
    class Action(models.TextChoices):
        TERMINATE = "terminate", _("Terminate")
        PURGE = "purge", _("Destroy the data now")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second operator")
        EXECUTED = "executed", _("Approved and done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Approved, but the action was refused")

    action = models.CharField(max_length=20, choices=Action.choices)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by_email = models.CharField(max_length=254)
    requested_at = models.DateTimeField()
    decided_by_email = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Four eyes: the database itself refuses a decision by the requester.
            models.CheckConstraint(condition=Q(decided_by_email="")
                                   | ~Q(decided_by_email=models.F("requested_by_email")),
                                   name="approval_decided_by_another_operator"),
            models.UniqueConstraint(fields=["action", "tenant"], condition=Q(status="pending"),
                                    name="approval_one_pending_per_action_and_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.tenant} ({self.status})"
