"""The maintenance banner on every page of an affected tenant, from announcement to end (SPEC R16)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation

from .state import windows_to_announce

# The windows whose banner the visitor dismissed, by id, in their session (issue 13 item 6: on a phone the
# banner took a fifth of the first screen). A new window, or a moved one announced again, shows again.
DISMISSED_SESSION_KEY = "maintenance_banners_dismissed"


def banners_dismissed(*, session: Any) -> set[int]:
    return {int(value) for value in session.get(DISMISSED_SESSION_KEY, []) if str(value).isdigit()}


def banner_dismiss(*, session: Any, window_id: int) -> None:
    """Hide the banner of window `window_id` for the rest of this session (the visitor's own choice)."""
    dismissed = banners_dismissed(session=session) | {window_id}
    session[DISMISSED_SESSION_KEY] = sorted(dismissed)[-50:]


def maintenance_banner(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return {"maintenance_banners": []}
    now = timezone.now()
    language = translation.get_language() or tenant.language
    windows = windows_to_announce(schema_name=tenant.schema_name, now=now,
                                  windows=getattr(request, "maintenance_windows", None))
    if windows and hasattr(request, "session"):  # read the session only when there is a banner to show
        dismissed = banners_dismissed(session=request.session)
        windows = [w for w in windows if w.id not in dismissed]
    banners = [
        {"window": w, "message": w.message(language), "in_force": w.in_force(now), "emergency": w.kind == "emergency"}
        for w in windows
    ]
    return {"maintenance_banners": banners, "maintenance_time_zone": settings.PLATFORM_TIME_ZONE}
