"""The tenant's home page (issue 14 item 1): the sign-in invitation for visitors; for a signed-in user,
where to continue, their courses with progress, the deadlines coming and their certificates. The
deadlines are also an iCalendar feed a calendar app subscribes to with a secret address."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from mooc_platform.business_time import business_date
from mooc_platform.http import tenant_url

from .. import selectors, services


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "tenant_home.html", {"tenant": request.tenant})
    board = selectors.learner_home(user=request.user, now=timezone.now())
    for item in board.courses:
        item.cover_src = services.cover_url(course=item.course)
    feed = reverse("my-calendar", kwargs={"user_id": request.user.pk, "key": selectors.calendar_key(user=request.user)})
    return render(request, "courses/home.html", {
        "tenant": request.tenant, "board": board, "calendar_url": tenant_url(slug=request.tenant.slug, path=feed),
        "horizon_days": selectors.DEADLINE_HORIZON.days, "today": business_date()})


@require_safe
def my_calendar(request: HttpRequest, user_id: int, key: str) -> HttpResponse:
    """The learner's deadlines as iCalendar (RFC 5545), in the learner's language. No session: the secret
    key in the address stands for the learner (a wrong or stale key is a 404, telling nothing)."""
    user = selectors.calendar_user(user_id=str(user_id), key=key)
    if user is None:
        raise Http404
    now = timezone.now()
    language = user.language or request.tenant.language
    with translation.override(language):
        calendar = icalendar.Calendar()
        calendar.add("prodid", f"-//{settings.PLATFORM_NAME}//Deadlines//{language.upper()}")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", _("%(organisation)s — my deadlines") % {"organisation": request.tenant.name})
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        for deadline in selectors.learner_deadlines(user=user, now=now - timedelta(days=1)):
            calendar.add_component(_event(request, deadline=deadline, now=now))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _event(request: HttpRequest, *, deadline: selectors.Deadline, now) -> icalendar.Event:  # type: ignore[no-untyped-def]
    event = icalendar.Event()
    event.add("uid", deadline.uid)
    event.add("dtstamp", now)
    if deadline.lesson is not None:
        event.add("summary", _("Quiz closes: %(quiz)s (%(course)s)") % {"quiz": deadline.lesson.title,
                                                                         "course": deadline.course.title})
        path = reverse("lesson", kwargs={"slug": deadline.course.slug, "pk": deadline.lesson.pk})
        event.add("dtstart", deadline.when)
        event.add("dtend", deadline.when)
    else:
        event.add("summary", _("Course ends: %(course)s") % {"course": deadline.course.title})
        path = reverse("course", kwargs={"slug": deadline.course.slug})
        event.add("dtstart", deadline.course.ends_on)  # an all-day event on the last day
        event.add("dtend", deadline.course.ends_on + timedelta(days=1))
    event.add("url", tenant_url(slug=request.tenant.slug, path=path))
    event.add("transp", "TRANSPARENT")
    return event
