"""Personal data of a purged tenant in the maintenance records (SPEC R29): the notices sent to its
administrators keep when and what, not to whom. Named in `settings.TENANT_PURGE_ANONYMISERS`."""

from __future__ import annotations

from typing import Any

from .models import MaintenanceNotice


def maintenance_notices_anonymise_tenant(*, tenant: Any) -> int:
    """Empty the recipients of the tenant's notices; returns how many notices changed (idempotent)."""
    return MaintenanceNotice.objects.filter(tenant=tenant).exclude(recipients=[]).update(recipients=[])
