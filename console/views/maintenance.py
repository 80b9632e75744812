"""Maintenance windows (SPEC R16–R18): list, schedule, move and cancel, each through the maintenance services.

Every rule a window breaks is listed on the form (`maintenance_window_rules_check`, the services' own check);
moving and cancelling show a confirmation page that names the organisations affected and the e-mails that
leave. Times are typed and shown in Europe/Paris (`operator_required` runs the page in that zone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maintenance import selectors as maintenance_selectors
from maintenance import services as maintenance_services
from maintenance.models import MaintenanceWindow
from mooc_platform.errors import ApplicationError
from tenants.models import Tenant

from ..forms import ConfirmForm, WindowForm, WindowTimesForm
from ..security import operator_required
from .common import PAGE_SIZE, _posted

NAMES_SHOWN = 12


def _window_of(pk: int) -> MaintenanceWindow:
    return get_object_or_404(MaintenanceWindow.objects.prefetch_related("tenants"), pk=pk)


def _schedulable_tenants() -> QuerySet[Tenant]:
    """Organisations a window can be scoped to: customers that still have access."""
    return (Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
            .exclude(state__in=[Tenant.State.RETENTION, Tenant.State.PURGED]).order_by("name", "id"))


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _names(tenants: list[Tenant]) -> str:
    """"Demo University, Acme…" — the first NAMES_SHOWN names, then how many more."""
    shown = ", ".join(tenant.name for tenant in tenants[:NAMES_SHOWN])
    rest = len(tenants) - NAMES_SHOWN
    if rest > 0:
        shown += " " + ngettext("and %(count)s other", "and %(count)s others", rest) % {"count": rest}
    return shown


def _broken_rules_show(form: Any, broken: list[Any]) -> None:
    """Every rule broken, one error each (the service's text and its stable code)."""
    for rule in broken:
        form.add_error(None, f"{rule.message} [{rule.code}]")


def _service_error_show(form: Any, exc: ApplicationError) -> None:
    rules = (exc.details or {}).get("broken_rules") if isinstance(exc.details, dict) else None
    if rules:
        for rule in rules:
            form.add_error(None, f"{rule['message']} [{rule['code']}]")
    else:
        form.add_error(None, exc.message)


def _quiz_warning(request: HttpRequest, window: MaintenanceWindow) -> None:
    if window.quiz_deadlines_affected:  # issue 9 item 6: the operator learns which courses to warn
        courses = sorted({f"{row['course_title']} ({row['tenant_slug']})" for row in window.quiz_deadlines_affected})
        messages.warning(request, _("This window covers quiz deadlines of: %(courses)s. Learners get the time "
                                    "back after the window; tell the instructors.") % {"courses": "; ".join(courses)})


@operator_required
def maintenance_windows(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    status = request.GET.get("status", "ahead")
    found = maintenance_selectors.maintenance_windows_operator_list(status=status, now=now)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/maintenance_windows.html", {
        "page": page, "status": status, "statuses": MaintenanceWindow.Status.choices, "now": now,
        "query": f"status={status}" if status in {"ahead", *MaintenanceWindow.Status.values} else ""})


@operator_required
def maintenance_window_new(request: HttpRequest) -> HttpResponse:
    form = WindowForm(_posted(request), tenants=_schedulable_tenants())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            tenants = list(data["tenants"]) if data["scope"] == MaintenanceWindow.Scope.SELECTED else []
            broken, _concerned = maintenance_services.maintenance_window_rules_check(
                kind=data["kind"], start=data["start"], end=data["end"], scope=data["scope"], tenants=tenants,
                justification=data["justification"])
            if broken:
                _broken_rules_show(form, broken)
            else:
                try:
                    window = maintenance_services.maintenance_window_schedule(
                        start=data["start"], end=data["end"], scope=data["scope"], tenants=tenants,
                        reason=data["reason"], message_fr=data["message_fr"], message_en=data["message_en"],
                        emergency=data["kind"] == MaintenanceWindow.Kind.EMERGENCY,
                        justification=data["justification"], actor=request.user)
                except ApplicationError as exc:  # a race with another operator: the service decides
                    _service_error_show(form, exc)
                    status = 409
                else:
                    messages.success(request, _("Window scheduled and announced: the administrators of the "
                                                "organisations affected are e-mailed now."))
                    _quiz_warning(request, window)
                    return redirect(f"/console/maintenance-windows/{window.pk}/")
    return render(request, "console/maintenance_window_new.html", {"form": form}, status=status)


@operator_required
def maintenance_window_detail(request: HttpRequest, pk: int) -> HttpResponse:
    window = _window_of(pk)
    now = timezone.now()
    return render(request, "console/maintenance_window.html", {
        "window": window, "now": now, "open": window.status == MaintenanceWindow.Status.SCHEDULED and window.end > now,
        "affected": list(maintenance_selectors.maintenance_window_tenants(window=window)),
        "notices": window.notices.select_related("tenant").order_by("-sent_at", "-id")[:100]})


def _move_consequence(window: MaintenanceWindow, start: datetime, end: datetime) -> str:
    affected = list(maintenance_selectors.maintenance_window_tenants(window=window))
    text = _("The window moves from %(old_start)s – %(old_end)s to %(start)s – %(end)s (Paris time).") % {
        "old_start": _when(window.start), "old_end": _when(window.end), "start": _when(start), "end": _when(end)}
    if affected:
        text += " " + ngettext(
            "The administrators of %(count)s organisation (%(names)s) receive a new announcement now, and a "
            "reminder 24 hours before; the earlier notices no longer apply. Its users see the new times on the "
            "banner.",
            "The administrators of %(count)s organisations (%(names)s) receive a new announcement now, and a "
            "reminder 24 hours before; the earlier notices no longer apply. Their users see the new times on the "
            "banner.", len(affected)) % {"count": len(affected), "names": _names(affected)}
    else:
        text += " " + _("No organisation with access is affected: no e-mail leaves.")
    return text


@operator_required
def maintenance_window_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps: the new times (every broken rule listed), then the confirmation that states who is told."""
    window = _window_of(pk)
    data = _posted(request)
    form = WindowTimesForm(data, initial={"start": timezone.localtime(window.start),
                                          "end": timezone.localtime(window.end)})
    status, consequence = 200, ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            broken, _concerned = maintenance_services.maintenance_window_rules_check(
                kind=window.kind, start=start, end=end, scope=window.scope, tenants=list(window.tenants.all()),
                justification=window.justification, exclude_id=window.pk)
            if window.status != MaintenanceWindow.Status.SCHEDULED:
                form.add_error(None, _("Only a scheduled window can be moved."))
            elif broken:
                _broken_rules_show(form, broken)
            elif data.get("confirm") != "1":
                status, consequence = 200, _move_consequence(window, start, end)
            else:
                try:
                    moved = maintenance_services.maintenance_window_move(window=window, start=start, end=end,
                                                                         actor=request.user)
                except ApplicationError as exc:
                    _service_error_show(form, exc)
                    status = 409
                else:
                    messages.success(request, _("Window moved: the organisations affected are told the new times."))
                    _quiz_warning(request, moved)
                    return redirect(f"/console/maintenance-windows/{window.pk}/")
    return render(request, "console/maintenance_window_move.html", {
        "window": window, "form": form, "consequence": consequence}, status=status)


def _cancel_consequence(window: MaintenanceWindow) -> str:
    told = list(maintenance_selectors.maintenance_window_tenants_told(window=window))
    text = _("The window of %(start)s – %(end)s (Paris time) is cancelled for good; its banner disappears.") % {
        "start": _when(window.start), "end": _when(window.end)}
    if told:
        text += " " + ngettext(
            "The administrators of the %(count)s organisation already told (%(names)s) receive a cancellation "
            "e-mail now.",
            "The administrators of the %(count)s organisations already told (%(names)s) receive a cancellation "
            "e-mail now.", len(told)) % {"count": len(told), "names": _names(told)}
    else:
        text += " " + _("No organisation has been told yet: no e-mail leaves.")
    return text


@operator_required
def maintenance_window_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    window = _window_of(pk)
    form = ConfirmForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            maintenance_services.maintenance_window_cancel(window=window, actor=request.user)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = 409
        else:
            messages.success(request, _("Window cancelled: the organisations already told are e-mailed."))
            return redirect(f"/console/maintenance-windows/{window.pk}/")
    return render(request, "console/maintenance_window_cancel.html", {
        "window": window, "form": form, "consequence": _cancel_consequence(window)}, status=status)
