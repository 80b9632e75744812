"""The maintenance banner on every page of an affected tenant, from announcement to end (SPEC R16)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation

from .state import windows_to_announce


def maintenance_banner(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return {"maintenance_banners": []}
    now = timezone.now()
    language = translation.get_language() or tenant.language
    banners = [
        {"window": w, "message": w.message(language), "in_force": w.in_force(now), "emergency": w.kind == "emergency"}
        for w in windows_to_announce(schema_name=tenant.schema_name, now=now,
                                     windows=getattr(request, "maintenance_windows", None))
    ]
    return {"maintenance_banners": banners, "maintenance_time_zone": settings.PLATFORM_TIME_ZONE}
