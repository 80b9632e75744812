"""The Django admin's record list of maintenance windows under /console/ (read-only) and the availability
report. Windows are scheduled, moved and cancelled on the console's own pages (console.views.maintenance),
through the services. Times are shown in Europe/Paris."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from mooc_platform.errors import ApplicationError

from .models import Incident, MaintenanceNotice, MaintenanceWindow
from .selectors import sla_report_monthly_all_tenants, sla_target_percent
from .services import IncidentInvalidError, incident_record, incident_update


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
    """The record list (search, filters) and the availability report. Scheduling, moving and cancelling are
    console pages (/console/maintenance-windows/, console.views.maintenance) that call the services after a
    confirmation stating who is told: here every window is read-only."""

    list_display = ["id", "start", "end", "kind", "scope", "status", "revision", "announced_at", "reminder_sent_at"]
    list_filter = ["status", "kind", "scope"]
    inlines = [NoticeInline]
    change_list_template = "admin/maintenance/maintenancewindow/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

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
