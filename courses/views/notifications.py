"""The notifications page (issue 14 item 8): what the user was told of, marked read when opened, and their
choice of what they are told of, in the app and by e-mail, one each or in a daily digest."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from mooc_platform.errors import ApplicationError

from .. import selectors, services
from ..models import Notification
from .common import _error

PAGE_SIZE = 30


@login_required
def my_notifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        if request.POST.get("action") == "read_all":
            count = services.notifications_mark_read(user=user)
            messages.success(request, _("%(n)s notifications marked as read.") % {"n": count})
        elif request.POST.get("action") == "settings":
            try:
                services.notification_settings_update(
                    user=user, in_app=request.POST.getlist("in_app"), email=request.POST.getlist("email"),
                    daily_digest=request.POST.get("daily_digest") == "on")
                messages.success(request, _("Your choices are saved."))
            except ApplicationError as exc:
                _error(request, exc)
        return redirect("my-notifications")
    page = Paginator(selectors.notifications_of(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    for notification in page.object_list:
        notification.text = selectors.notification_text(notification=notification)
    choices = selectors.notification_settings_of(user=user)
    kinds = [(kind, label, kind in choices.in_app, kind in choices.email)
             for kind, label in Notification.Kind.choices
             if user.is_course_staff or kind != Notification.Kind.REPORT]
    return render(request, "courses/my_notifications.html", {
        "page": page, "kinds": kinds, "daily_digest": choices.daily_digest,
        "unread": selectors.notifications_unread_count(user=user)})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read (POST) and go to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if request.method == "POST":
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url or "/my/notifications/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith("/"):
        target = "/my/notifications/"
    return redirect(target)


@csrf_exempt  # the signed token is the proof; mail clients POST `List-Unsubscribe=One-Click` (RFC 8058) without one
def notifications_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click unsubscribe of a notification e-mail, signed out: GET asks (a link scanner's visit changes
    nothing), POST (the page's button, or the mail client's one-click) turns that kind's e-mails off. In the
    language of the user the link was made for; an altered link is a 400 page."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    try:
        user, kind = (services.notifications_unsubscribe(token=token) if request.method == "POST"
                      else services.unsubscribe_read(token=token))
    except ApplicationError as exc:
        return render(request, "courses/notifications_unsubscribe.html", {"invalid": str(exc)}, status=exc.status_code)
    language = user.language or request.LANGUAGE_CODE
    with translation.override(language):
        response = render(request, "courses/notifications_unsubscribe.html", {
            "done": request.method == "POST", "all_kinds": kind == "*",
            "kind_label": "" if kind == "*" else Notification.Kind(kind).label})
    response["Content-Language"] = language
    return response
