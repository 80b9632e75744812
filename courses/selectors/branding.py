"""Reads of the organisation's branding."""

from __future__ import annotations

from ..models import Branding


def branding_current() -> Branding | None:
    return Branding.objects.filter(pk=1).select_related("logo").first()
