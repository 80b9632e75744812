"""Page: the administrator's CSV import with its preview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError

from .. import services
from .common import _error


@administrator_required
def manage_import(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        try:
            if request.FILES.get("file"):
                text = request.FILES["file"].read(2 * 1024 * 1024).decode("utf-8-sig", errors="replace")
            else:
                text = request.POST.get("csv_text", "")
            if request.POST.get("action") == "apply":
                report = services.users_import_apply(csv_text=text, actor=request.user)
            else:
                report = services.users_import_preview(csv_text=text)
            context.update({"report": report, "summary": report.summary(), "csv_text": text})
        except ApplicationError as exc:
            _error(request, exc)
    return render(request, "courses/manage_import.html", context)
