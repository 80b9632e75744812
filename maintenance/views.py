"""The public status page and its iCalendar feed, on the platform host (SPEC R18). They name no
organisation: a window is either for everyone or for 'some organisations'."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from .context_processors import banner_dismiss
from .models import Incident, MaintenanceWindow
from .selectors import incidents_public, maintenance_windows_public


@cache_control(public=True, max_age=60)
def status_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    incidents = incidents_public(now=now)
    context = {**maintenance_windows_public(now=now), "now": now, "time_zone": settings.PLATFORM_TIME_ZONE,
               "incidents_current": incidents["current"], "incidents_past": incidents["past"]}
    return render(request, "maintenance/status.html", context)


@cache_control(public=True, max_age=300)
def status_calendar(request: HttpRequest) -> HttpResponse:
    """An iCalendar feed a customer subscribes to: current, upcoming and last 90 days' windows, and the
    incidents of the last 90 days (SPEC R26; one in progress ends "now" until it is closed)."""
    now = timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.PLATFORM_NAME}//Maintenance windows//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.PLATFORM_NAME} — maintenance")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    windows = maintenance_windows_public(now=now)
    for window in windows["current"] + windows["upcoming"] + windows["past"]:
        calendar.add_component(_event(window, now))
    incidents = incidents_public(now=now)
    for incident in incidents["current"] + incidents["past"]:
        calendar.add_component(_incident_event(incident, now))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="maintenance.ics"'
    return response


def _event(window: MaintenanceWindow, now) -> icalendar.Event:  # type: ignore[no-untyped-def]
    event = icalendar.Event()
    event.add("uid", f"maintenance-window-{window.id}@{settings.PLATFORM_DOMAIN}")
    event.add("dtstamp", now)
    event.add("dtstart", window.start)
    event.add("dtend", window.end)
    event.add("sequence", window.revision)
    kind = "Emergency maintenance" if window.kind == MaintenanceWindow.Kind.EMERGENCY else "Scheduled maintenance"
    scope = "all organisations" if window.scope == MaintenanceWindow.Scope.ALL else "some organisations"
    kind_fr = "Maintenance d’urgence" if window.kind == MaintenanceWindow.Kind.EMERGENCY else "Maintenance programmée"
    event.add("summary", f"{kind} ({scope}) / {kind_fr}")
    event.add("description", f"{window.message_en}\n\n{window.message_fr}")
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _incident_event(incident: Incident, now) -> icalendar.Event:  # type: ignore[no-untyped-def]
    event = icalendar.Event()
    event.add("uid", f"incident-{incident.id}@{settings.PLATFORM_DOMAIN}")
    event.add("dtstamp", now)
    event.add("dtstart", incident.start)
    event.add("dtend", incident.end or now)
    scope, scope_fr = (("all organisations", "toutes les organisations") if incident.scope == Incident.Scope.ALL
                       else ("some organisations", "certaines organisations"))
    event.add("summary", f"Incident ({scope}) / Incident ({scope_fr})")
    ongoing = "" if incident.end else "\n\n(in progress / en cours)"
    event.add("description", f"{incident.summary_en}\n\n{incident.summary_fr}{ongoing}")
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


@require_POST
def banner_dismiss_view(request: HttpRequest) -> HttpResponse:
    """The banner's "Hide" button: the window's banner is hidden for the rest of the session, then back to the
    page the visitor was on (a path of this host only)."""
    window = request.POST.get("window", "")
    if window.isdigit() and len(window) < 19:
        banner_dismiss(session=request.session, window_id=int(window))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False) \
            or not target.startswith("/"):
        target = "/"
    return redirect(target)
