"""`/help/` on tenant hosts: the help of every role, the reader's own role first (SPEC R30, GCS art. 7)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from .sections import ADMINISTRATOR, INSTRUCTOR, LEARNER


def _reader_role(user: object) -> str:
    if getattr(user, "is_tenant_admin", False):
        return ADMINISTRATOR
    if getattr(user, "is_course_staff", False):
        return INSTRUCTOR
    return LEARNER


def help_page(request: HttpRequest) -> HttpResponse:
    """Open to everyone, signed in or not (signing in is the first thing it explains)."""
    language = "fr" if (get_language() or "").startswith("fr") else "en"
    role = request.GET.get("role") if request.GET.get("role") in (LEARNER, INSTRUCTOR, ADMINISTRATOR) else None
    return render(request, "onlinehelp/help.html", {
        "reader_role": _reader_role(request.user) if request.user.is_authenticated else LEARNER,
        "only_role": role, "content_template": f"onlinehelp/help_{language}.html"})


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The organisation's accessibility statement (RGAA; French law of 11 February 2005, art. 47): its status,
    the date of the evaluation, what is not accessible, whom to write to and the recourse. Open to everyone."""
    language = "fr" if (get_language() or "").startswith("fr") else "en"
    return render(request, "onlinehelp/accessibility.html", {
        "accessibility": settings.ACCESSIBILITY, "organisation": request.tenant.name,  # type: ignore[attr-defined]
        "content_template": f"onlinehelp/accessibility_{language}.html"})
