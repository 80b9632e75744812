"""The platform's audit log: one append-only event per state change."""

from __future__ import annotations

from typing import Any

from django.db import connection

from ..models import AuditEvent, Tenant


def audit_record(
    *,
    action: str,
    actor: Any = None,
    tenant: Tenant | None = None,
    target: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. `actor` is a user of any schema (None = the system)."""
    return AuditEvent.objects.create(
        action=action,
        actor_email=getattr(actor, "email", "") or "",
        actor_schema=connection.schema_name if actor is not None else "",
        tenant=tenant,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        before=before or {},
        after=after or {},
        ip_address=ip_address,
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
