"""What the sign-in page needs of single sign-on (issue 17 item 1): the organisation's enabled identity providers,
read only when a template asks (a tenant host only: the platform host has no such table)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest


def sso(request: HttpRequest) -> dict[str, Any]:
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return {}

    def providers() -> list[Any]:
        from .selectors import identity_providers_enabled

        return list(identity_providers_enabled())

    return {"sso_providers": providers}
