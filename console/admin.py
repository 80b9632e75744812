"""What the Django admin under the console shows and hides (issue 12: "restricted to what the services
allow"). Credentials (second-factor devices, API tokens) and infrastructure tables are not operator
records: they are taken off the admin. Four-eyes requests are evidence: read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ApprovalRequest

HIDDEN = ["auth.Group", "otp_totp.TOTPDevice", "otp_static.StaticDevice", "authtoken.TokenProxy",
          "django_celery_beat.PeriodicTask", "django_celery_beat.ClockedSchedule",
          "django_celery_beat.CrontabSchedule", "django_celery_beat.SolarSchedule",
          "django_celery_beat.IntervalSchedule"]


def admin_restrict() -> None:
    """Unregister HIDDEN from the console's admin site (called once the admin modules are loaded)."""
    from django.apps import apps

    for label in HIDDEN:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if admin.site.is_registered(model):
            admin.site.unregister(model)


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "action", "tenant", "status", "requested_by_email", "decided_by_email"]
    list_filter = ["action", "status"]
    readonly_fields = [f.name for f in ApprovalRequest._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
