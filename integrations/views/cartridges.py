"""The course staff's page of a course's IMS Common Cartridge exports (tenant host): ask for one, watch its
progress (the page refreshes itself while one is being built), download it when ready."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mooc_platform.accounts.permissions import course_staff_required
from mooc_platform.errors import ApplicationError

from .. import selectors
from ..models import CartridgeExport
from ..services import cartridges as services

EXPORTS_SHOWN = 10


def _course(course_id: int):  # type: ignore[no-untyped-def]
    course = selectors.course_for_export(course_id=course_id)
    if course is None:
        raise Http404
    return course


@course_staff_required
def cartridges_page(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if request.method == "POST":
        services.cartridge_export_request(course=course, actor=request.user)
        messages.success(request, _("Export started: this page shows its progress."))
        return redirect("integrations-cartridges", course_id=course.pk)
    exports = list(selectors.cartridge_exports(course=course)[:EXPORTS_SHOWN])
    running = any(e.status in (CartridgeExport.Status.QUEUED, CartridgeExport.Status.BUILDING) for e in exports)
    return render(request, "integrations/cartridges.html", {"course": course, "exports": exports,
                                                            "running": running})


@course_staff_required
def cartridge_download_page(request: HttpRequest, course_id: int, export_id: int) -> HttpResponse:
    export = selectors.cartridge_export_get(course=_course(course_id), export_id=export_id)
    if export is None:
        raise Http404
    try:
        return redirect(services.cartridge_download_url(export=export))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("integrations-cartridges", course_id=course_id)
