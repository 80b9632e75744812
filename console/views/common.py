"""Helpers every console page shares."""

from __future__ import annotations

import csv
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from mooc_platform.business_time import platform_tz

PAGE_SIZE = 50
GB = 1024**3


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one: a confirmation), None otherwise (unbound form)."""
    return request.POST if request.method == "POST" else None


def _safe_next(request: HttpRequest, default: str = "/console/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        return default
    return target


# --- Sign-in: password, then second factor ------------------------------------------------------------


def _csv_response(filename: str, header: list[str], rows: Any) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["'" + value if isinstance(value, str) and value[:1] in "=+-@" else value for value in row])
    return response


def _paris_iso(moment: datetime | None) -> str:
    return timezone.localtime(moment, platform_tz()).strftime("%Y-%m-%d %H:%M") if moment else ""
