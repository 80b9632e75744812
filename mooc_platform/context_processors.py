from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_platform = tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME
    return {
        "platform_name": settings.PLATFORM_NAME,
        "current_tenant": None if is_platform else tenant,
        "is_platform_host": is_platform,
    }
