"""The public status page and its iCalendar feed, on the platform host (SPEC R18). They name no
organisation: a window is either for everyone or for 'some organisations'."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from .models import MaintenanceWindow
from .selectors import maintenance_windows_public


@cache_control(public=True, max_age=60)
def status_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {**maintenance_windows_public(now=now), "now": now, "time_zone": settings.PLATFORM_TIME_ZONE}
    return render(request, "maintenance/status.html", context)


@cache_control(public=True, max_age=300)
def status_calendar(request: HttpRequest) -> HttpResponse:
    """An iCalendar feed a customer subscribes to: current, upcoming and last 90 days' windows."""
    now = timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.PLATFORM_NAME}//Maintenance windows//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.PLATFORM_NAME} — maintenance")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    windows = maintenance_windows_public(now=now)
    for window in windows["current"] + windows["upcoming"] + windows["past"]:
        calendar.add_component(_event(window, now))
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
