"""The organisation's branding on every page of a tenant host (name, logo, colours)."""

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def branding(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return {}
    try:
        return _branding(request, tenant)
    except DatabaseError:  # e.g. a schema not migrated yet: the page renders without branding
        logger.warning("branding unavailable in schema %s", connection.schema_name, exc_info=True)
        return {}


def _branding(request: HttpRequest, tenant: Any) -> dict[str, Any]:
    from . import selectors, services
    from .selectors import branding_current

    current = getattr(request, "_branding", None)
    if current is None:
        current = branding_current()
        request._branding = current or False  # type: ignore[attr-defined]
    current = current or None
    logo_url = None
    if current is not None and current.logo is not None:
        logo_url = services.media_download_url(upload=current.logo)
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    is_staff = signed_in and user.is_course_staff
    storage_level = None
    if is_staff:  # staff only: one fresh read of the tenant's usage
        limits = services.tenant_limits()
        storage_level = services.storage_warning(used=limits.storage_used_bytes, quota=limits.storage_quota_bytes)
    return {
        # One count each, for the badges of the navigation (issue 14 items 8 and 9).
        "nav_unread": selectors.notifications_unread_count(user=user) if signed_in else 0,
        "nav_reports": selectors.reports_open_count() if is_staff else 0,
        "storage_warning_level": storage_level,
        "brand_name": (current.name if current and current.name else tenant.name),
        "brand_logo_url": logo_url,
        "brand_primary": current.primary_color if current else "",
        "brand_accent": current.accent_color if current else "",
        "nav_is_staff": is_staff,
        "nav_is_admin": signed_in and user.is_tenant_admin,
    }
