"""`help_url`: the help section of the page being shown, for the "Help on this page" link of every footer."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .sections import help_anchor


def help_link(request: HttpRequest) -> dict[str, str]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return {}
    match = getattr(request, "resolver_match", None)
    return {"help_url": f"/help/#{help_anchor(match.url_name if match else None)}"}
