"""The cancellation banner on every page of a cancelled tenant that still has access (SPEC R12)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from .selectors import tenant_cancelled_access_end


def cancellation_banner(request: HttpRequest) -> dict[str, Any]:
    """`cancellation_access_ends_at` for signed-in users of such a tenant, and whether to link its
    administrators to the timeline page."""
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or tenant.is_platform or user is None or not user.is_authenticated:
        return {}
    ends_at = tenant_cancelled_access_end(tenant=tenant, now=timezone.now())
    if ends_at is None:
        return {}
    return {"cancellation_access_ends_at": ends_at, "cancellation_time_zone": settings.PLATFORM_TIME_ZONE,
            "cancellation_timeline_link": bool(getattr(user, "is_tenant_admin", False))}
