"""Maintenance windows and the notices sent about them (SPEC R16–R18, GCS art. 8).

Times are stored in UTC; the rules (Saturday from 12:00, 24 hours, 48 hours' notice) are checked in
PLATFORM_TIME_ZONE by `maintenance.services`. Nothing here enforces a business rule beyond what the
database can guarantee on its own (date order, a justification for emergencies, one notice each)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


class MaintenanceWindow(models.Model):
    class Scope(models.TextChoices):
        ALL = "all", _("All organisations")
        SELECTED = "selected", _("Selected organisations")

    class Kind(models.TextChoices):
        PLANNED = "planned", _("Planned")
        EMERGENCY = "emergency", _("Emergency")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField(db_index=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    tenants = models.ManyToManyField(Tenant, blank=True, related_name="maintenance_windows",
                                     help_text=_("The affected organisations when the scope is 'selected'."))
    reason = models.TextField(help_text=_("Internal: why the window is needed. Never shown to customers."))
    message_fr = models.TextField(_("public message (French)"))
    message_en = models.TextField(_("public message (English)"))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PLANNED)
    justification = models.TextField(blank=True, help_text=_("Required for an emergency window (data at risk)."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    # Bumped by every move: notices are unique per revision, so a moved window is announced again.
    revision = models.PositiveIntegerField(default=1)
    announced_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by_email = models.CharField(max_length=254, blank=True)
    # What the operator was told when scheduling or moving the window: the quiz deadlines it covers, one
    # {tenant_slug, tenant_name, course_id, course_title, lesson_id, lesson_title, deadline} per quiz.
    quiz_deadlines_affected = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="maintenance_window_end_after_start"),
            models.CheckConstraint(
                condition=~Q(kind="emergency") | ~Q(justification=""),
                name="maintenance_window_emergency_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} maintenance {self.start:%Y-%m-%d %H:%M} UTC ({self.get_status_display()})"

    def message(self, language: str) -> str:
        """The public message in `language` ('fr…' → French, anything else → English)."""
        return self.message_fr if (language or "").startswith("fr") else self.message_en


class MaintenanceNotice(models.Model):
    """One e-mail about one window (at one revision) to the administrators of one tenant.

    The unique constraint is what makes sending exactly-once: the sender inserts the row and sends
    in the same transaction, so two runners racing for the same notice cannot both send it."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("Announcement")
        REMINDER = "reminder", _("Reminder 24 hours before")
        CANCELLATION = "cancellation", _("Cancellation")

    window = models.ForeignKey(MaintenanceWindow, on_delete=models.CASCADE, related_name="notices")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    revision = models.PositiveIntegerField()
    recipients = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8)
    sent_at = models.DateTimeField()
    # An announcement of a planned window that went out less than 48 hours before it (GCS art. 8), e.g.
    # because the broker was down when the window was scheduled: sent anyway, and flagged.
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "tenant", "kind", "revision"], name="maintenance_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of window {self.window_id} r{self.revision} to {self.tenant_id}"


class Incident(models.Model):
    """An unplanned interruption of service recorded by an operator (SPEC R26 — GCS art. 8, `001_…` §14): shown on
    the status page and in the iCalendar feed's history, counted as downtime by the availability report.
    `end` is empty while the incident is in progress. A force-majeure incident (an unforeseeable event beyond
    the platform's control, such as a failure of the host: GCS art. 8) is shown and reported, but left out of
    the availability measured against the target, which the contract does not extend to force majeure."""

    class Scope(models.TextChoices):
        ALL = "all", _("All organisations")
        SELECTED = "selected", _("Selected organisations")

    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField(null=True, blank=True, db_index=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    tenants = models.ManyToManyField(Tenant, blank=True, related_name="incidents",
                                     help_text=_("The affected organisations when the scope is 'selected'."))
    summary_fr = models.TextField(_("public summary (French)"))
    summary_en = models.TextField(_("public summary (English)"))
    force_majeure = models.BooleanField(default=False,
                                        help_text=_("An event beyond the platform's control (GCS art. 8)."))
    created_by_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                                   name="incident_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"Incident {self.start:%Y-%m-%d %H:%M} UTC"

    def summary(self, language: str) -> str:
        return self.summary_fr if (language or "").startswith("fr") else self.summary_en


class HealthProbeState(models.Model):
    """The one row of the beat's health probe (SPEC R26, optional part): consecutive failures of `/healthz` and the
    incident it opened automatically, closed by the next success."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    consecutive_failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Health probe: {self.consecutive_failures} failure(s)"
