"""Operator console pages for maintenance windows (/console/). Every write goes through the services:
adding a window schedules it (rules checked, notices sent), changing its times moves it, and the
"cancel" action cancels. Times are entered and shown in Europe/Paris."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from mooc_platform.admin_actions import apply_to_each
from mooc_platform.errors import ApplicationError

from .models import Incident, MaintenanceNotice, MaintenanceWindow
from .rules import planned_window_rules_check, window_times_check
from .selectors import sla_report_monthly_all_tenants, sla_target_percent
from .services import (
    IncidentInvalidError,
    incident_record,
    incident_update,
    maintenance_window_cancel,
    maintenance_window_move,
    maintenance_window_schedule,
    planned_interruptions_check,
)


class MaintenanceWindowForm(forms.ModelForm):
    class Meta:
        model = MaintenanceWindow
        fields = ["start", "end", "scope", "tenants", "kind", "justification", "reason", "message_fr", "message_en"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "tenants" in self.fields:
            self.fields["tenants"].queryset = self.fields["tenants"].queryset.exclude(
                schema_name=settings.PUBLIC_SCHEMA_NAME)

    def clean(self) -> dict[str, Any]:
        """Show every broken rule on the form before the service is called (it checks them again)."""
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        kind = data.get("kind") or (self.instance.kind if self.instance.pk else MaintenanceWindow.Kind.PLANNED)
        if start and end:
            now = timezone.now()
            if kind == MaintenanceWindow.Kind.EMERGENCY:
                broken = window_times_check(start=start, end=end, now=now)
                justification = data.get("justification", self.instance.justification) or ""
                if not justification.strip():
                    self.add_error("justification", "An emergency window needs a written justification.")
            else:
                broken = planned_window_rules_check(start=start, end=end, now=now)
                if end > start:  # per organisation, with the windows this one overlaps or touches
                    instance = self.instance if self.instance.pk else None
                    scope = instance.scope if instance else data.get("scope") or MaintenanceWindow.Scope.ALL
                    tenants = list(instance.tenants.all()) if instance else list(data.get("tenants") or [])
                    known = {rule.code for rule in broken}
                    broken += [rule for rule in planned_interruptions_check(
                        start=start, end=end, scope=scope, tenants=tenants,
                        exclude_id=instance.pk if instance else None)[0] if rule.code not in known]
            for rule in broken:
                self.add_error(None, f"{rule.message} [{rule.code}]")
        if not self.instance.pk and data.get("scope") == MaintenanceWindow.Scope.SELECTED and not data.get("tenants"):
            self.add_error("tenants", "Choose at least one organisation, or the scope 'all'.")
        return data


class NoticeInline(admin.TabularInline):
    model = MaintenanceNotice
    extra = 0
    can_delete = False
    fields = ["tenant", "kind", "revision", "language", "recipients", "sent_at", "late"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    form = MaintenanceWindowForm
    list_display = ["id", "start", "end", "kind", "scope", "status", "revision", "announced_at", "reminder_sent_at"]
    list_filter = ["status", "kind", "scope"]
    filter_horizontal = ["tenants"]
    actions = ["cancel_windows"]
    inlines = [NoticeInline]
    change_list_template = "admin/maintenance/maintenancewindow/change_list.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        audit = ["status", "revision", "announced_at", "reminder_sent_at", "cancelled_at", "completed_at",
                 "created_by_email", "quiz_deadlines_affected"]
        if obj is None:
            return audit
        frozen = ["scope", "tenants", "kind", "justification", "reason", "message_fr", "message_en"]
        if obj.status != MaintenanceWindow.Status.SCHEDULED:
            frozen += ["start", "end"]
        return frozen + audit

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a window is cancelled, never deleted: it stays on the status page and in the SLA

    def _paris(self, view: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        with timezone.override(settings.PLATFORM_TIME_ZONE):
            response = view(*args, **kwargs)
            if isinstance(response, TemplateResponse):
                response.render()
        return response

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._paris(super().changeform_view, request, *args, **kwargs)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return self._paris(super().changelist_view, request, extra_context)

    def save_model(self, request: HttpRequest, obj: MaintenanceWindow, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if not change:
                saved = maintenance_window_schedule(
                    start=data["start"], end=data["end"], scope=data["scope"], tenants=list(data.get("tenants") or []),
                    reason=data["reason"], message_fr=data["message_fr"], message_en=data["message_en"],
                    emergency=data["kind"] == MaintenanceWindow.Kind.EMERGENCY,
                    justification=data.get("justification") or "", actor=request.user,
                )
            elif {"start", "end"} & set(form.changed_data):
                saved = maintenance_window_move(window=obj, start=data["start"], end=data["end"], actor=request.user)
            else:
                return
        except ApplicationError as exc:  # the form checked the same rules; a race may still end here
            messages.error(request, exc.message)
            raise
        obj.pk = saved.pk
        obj.refresh_from_db()
        if saved.quiz_deadlines_affected:  # issue 9 item 6: the operator learns which courses to warn
            courses = sorted({f"{row['course_title']} ({row['tenant_slug']})" for row in saved.quiz_deadlines_affected})
            messages.warning(request, "This window covers quiz deadlines of: " + "; ".join(courses)
                             + ". Learners get the time back after the window; tell the instructors.")

    @admin.action(description="Cancel the selected windows (notifies tenants already told)")
    def cancel_windows(self, request: HttpRequest, queryset: QuerySet[MaintenanceWindow]) -> None:
        apply_to_each(request, queryset, lambda window: maintenance_window_cancel(window=window, actor=request.user),
                      done="Windows cancelled", label=lambda window: f"Window {window.id}")

    def get_urls(self) -> list[Any]:
        return [path("sla-report/", self.admin_site.admin_view(self.sla_report_view),
                     name="maintenance_sla_report"), *super().get_urls()]

    def sla_report_view(self, request: HttpRequest) -> HttpResponse:
        from .apis import parse_month

        try:
            month = parse_month(request.GET.get("month", ""))
        except ApplicationError:  # a mistyped month shows the current one, in Europe/Paris like the API's default
            month = parse_month("")
        context = {**self.admin_site.each_context(request), "title": f"Availability report {month:%Y-%m}",
                   "rows": sla_report_monthly_all_tenants(month=month), "month": f"{month:%Y-%m}",
                   "target": sla_target_percent(),
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/maintenance/sla_report.html", context)


@admin.register(MaintenanceNotice)
class MaintenanceNoticeAdmin(admin.ModelAdmin):
    list_display = ["window", "tenant", "kind", "revision", "language", "sent_at"]
    list_filter = ["kind", "language"]
    readonly_fields = ["window", "tenant", "kind", "revision", "language", "recipients", "sent_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["start", "end", "scope", "tenants", "force_majeure", "summary_fr", "summary_en"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "tenants" in self.fields:
            self.fields["tenants"].queryset = self.fields["tenants"].queryset.exclude(
                schema_name=settings.PUBLIC_SCHEMA_NAME)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Unplanned incidents (SPEC R26): recorded here by operators, through `incident_record` / `incident_update`
    (checked, audited). Times in Europe/Paris. An incident is corrected, never deleted: it is part of the
    availability report."""

    form = IncidentForm
    list_display = ["id", "start", "end", "scope", "force_majeure", "summary_en", "created_by_email"]
    list_filter = ["force_majeure", "scope"]
    filter_horizontal = ["tenants"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["created_by_email"] if obj is None else ["start", "scope", "tenants", "created_by_email"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _paris(self, view: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        with timezone.override(settings.PLATFORM_TIME_ZONE):
            response = view(*args, **kwargs)
            if isinstance(response, TemplateResponse):
                response.render()
        return response

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._paris(super().changeform_view, request, *args, **kwargs)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return self._paris(super().changelist_view, request, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The services' checks shown on the form (no 500, nothing half-saved)."""
        base = super().get_form(request, obj, change=change, **kwargs)
        admin_site = self

        class Checked(base):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                if self.errors:
                    return data
                try:
                    admin_site._incident_save(request, self.instance if change else None, data, dry=True)
                except IncidentInvalidError as exc:
                    for field, message in exc.details.items():
                        self.add_error(field if field in self.fields else None, message)
                return data

        return Checked

    def _incident_save(self, request: HttpRequest, obj: Incident | None, data: dict[str, Any], *,
                       dry: bool = False) -> Incident | None:
        if dry:
            from django.db import transaction

            with transaction.atomic():
                self._incident_save(request, obj, data)
                transaction.set_rollback(True)
            return None
        if obj is None:
            return incident_record(start=data["start"], end=data.get("end"), scope=data["scope"],
                                   tenants=list(data.get("tenants") or []), summary_fr=data.get("summary_fr", ""),
                                   summary_en=data.get("summary_en", ""),
                                   force_majeure=bool(data.get("force_majeure")), actor=request.user)
        return incident_update(incident=obj, end=data.get("end"), force_majeure=bool(data.get("force_majeure")),
                               summary_fr=data.get("summary_fr", ""), summary_en=data.get("summary_en", ""),
                               actor=request.user)

    def save_model(self, request: HttpRequest, obj: Incident, form: Any, change: bool) -> None:
        saved = self._incident_save(request, Incident.objects.get(pk=obj.pk) if change else None, form.cleaned_data)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return  # the service set the organisations
