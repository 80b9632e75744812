"""Writes on tenants: provisioning and the audit log. Business rules live here, found by name."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError

from .models import AuditEvent, Domain, Tenant

RESERVED_SLUGS = frozenset(
    {"www", "api", "console", "status", "admin", "app", "mail", "smtp", "static", "media", "public",
     "platform", "support", "billing", "help", "docs", "cdn", "assets", "template", "test"}
)
SLUG_PATTERN = re.compile(r"^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$")


class InvalidSlugError(ApplicationError):
    code = "invalid_slug"


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


def tenant_slug_validate(*, slug: str) -> str:
    """A slug becomes a host label and a schema name: DNS-safe, not reserved, not taken (SPEC R1)."""
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise InvalidSlugError(
            "The address must be 1 to 40 characters: lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen.",
            details={"slug": slug},
        )
    if slug in RESERVED_SLUGS:
        raise InvalidSlugError(f"'{slug}' is reserved by the platform.", details={"slug": slug})
    if Tenant.objects.filter(slug=slug).exists():
        raise InvalidSlugError(f"'{slug}' is already taken.", details={"slug": slug}, code="slug_taken")
    return slug


def tenant_schema_name(*, slug: str) -> str:
    return "t_" + slug.replace("-", "_")


def tenant_primary_domain(*, slug: str) -> str:
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def platform_tenant_ensure() -> Tenant:
    """The `public` tenant row that routes PLATFORM_DOMAIN to the platform's pages."""
    tenant, _ = Tenant.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME, defaults={"slug": "platform", "name": settings.PLATFORM_NAME}
    )
    Domain.objects.get_or_create(domain=settings.PLATFORM_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant


def tenant_provision(
    *,
    slug: str,
    name: str,
    admin_email: str,
    seat_limit: int = 50,
    storage_quota_bytes: int = 10 * 1024**3,
    language: str = "fr",
    custom_domains_allowed: bool = False,
    actor: Any = None,
) -> Tenant:
    """Create a tenant: schema, primary domain `<slug>.PLATFORM_DOMAIN`, first administrator."""
    slug = tenant_slug_validate(slug=slug)
    with transaction.atomic():
        tenant = Tenant.objects.create(
            schema_name=tenant_schema_name(slug=slug), slug=slug, name=name, seat_limit=seat_limit,
            storage_quota_bytes=storage_quota_bytes, language=language,
            custom_domains_allowed=custom_domains_allowed,
        )
        tenant.create_schema(check_if_exists=True, verbosity=0)
        Domain.objects.create(domain=tenant_primary_domain(slug=slug), tenant=tenant, is_primary=True)
        with schema_context(tenant.schema_name):
            User.objects.create_user(admin_email, None, role=User.Role.ADMINISTRATOR)
        audit_record(action="tenant.provisioned", actor=actor, tenant=tenant, target=tenant,
                     after={"slug": slug, "state": tenant.state})
    return tenant


# --- Lifecycle (SPEC R10–R14) ----------------------------------------------------------------------
# One service per transition; each checks that the transition is legal and writes an audit event.

RETENTION_DAYS = 180


class IllegalTransitionError(ApplicationError):
    code = "illegal_transition"
    status_code = 409


def _transition(*, tenant: Tenant, allowed_from: set[str], to: str, action: str, actor: Any,
                changes: dict[str, Any]) -> Tenant:
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.state not in allowed_from:
            raise IllegalTransitionError(
                f"A tenant that is {locked.state} cannot be {to}.",
                details={"from": locked.state, "to": to, "allowed_from": sorted(allowed_from)},
            )
        before = {"state": locked.state, **{k: _jsonable(getattr(locked, k)) for k in changes}}
        locked.state = to
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=["state", *changes])
        audit_record(action=action, actor=actor, tenant=locked, target=locked, before=before,
                     after={"state": to, **{k: _jsonable(v) for k, v in changes.items()}})
    for field in ("state", *changes):
        setattr(tenant, field, getattr(locked, field))
    return tenant


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def tenant_suspend(*, tenant: Tenant, reason: str, actor: Any = None, now: datetime | None = None) -> Tenant:
    """Suspend access (non-payment or breach) until reinstated; no data is touched (SPEC R10, R11)."""
    return _transition(tenant=tenant, allowed_from={Tenant.State.ACTIVE}, to=Tenant.State.SUSPENDED,
                       action="tenant.suspended", actor=actor,
                       changes={"suspended_at": now or timezone.now(), "suspension_reason": reason})


def tenant_reinstate(*, tenant: Tenant, actor: Any = None) -> Tenant:
    """Give access back at once (full payment of the sums due, or the breach is over; SPEC R10)."""
    return _transition(tenant=tenant, allowed_from={Tenant.State.SUSPENDED}, to=Tenant.State.ACTIVE,
                       action="tenant.reinstated", actor=actor,
                       changes={"suspended_at": None, "suspension_reason": ""})


def tenant_cancel(*, tenant: Tenant, access_ends_at: datetime, actor: Any = None) -> Tenant:
    """The customer cancels: no refund, access continues until the paid-through date (SPEC R12)."""
    return _transition(tenant=tenant, allowed_from={Tenant.State.ACTIVE, Tenant.State.SUSPENDED},
                       to=Tenant.State.CANCELLED, action="tenant.cancelled", actor=actor,
                       changes={"access_ends_at": access_ends_at})


def tenant_terminate(*, tenant: Tenant, reason: str, actor: Any = None, now: datetime | None = None) -> Tenant:
    """The operator ends access at once (non-payment, offence, data volume); retention follows (SPEC R13)."""
    now = now or timezone.now()
    return _transition(
        tenant=tenant, allowed_from={Tenant.State.ACTIVE, Tenant.State.SUSPENDED, Tenant.State.CANCELLED},
        to=Tenant.State.RETENTION, action="tenant.terminated", actor=actor,
        changes={"access_ends_at": now, "retention_ends_at": now + timedelta(days=RETENTION_DAYS),
                 "suspension_reason": reason},
    )


def tenant_access_end(*, tenant: Tenant, actor: Any = None, now: datetime | None = None) -> Tenant:
    """Access ended (paid-through date passed): the data is kept 180 days (SPEC R12)."""
    now = now or timezone.now()
    return _transition(tenant=tenant, allowed_from={Tenant.State.CANCELLED}, to=Tenant.State.RETENTION,
                       action="tenant.retention_started", actor=actor,
                       changes={"retention_ends_at": (tenant.access_ends_at or now) + timedelta(days=RETENTION_DAYS)})


def tenant_resubscribe(*, tenant: Tenant, actor: Any = None) -> Tenant:
    """During retention the customer subscribes again: the tenant comes back untouched (SPEC R14)."""
    return _transition(tenant=tenant, allowed_from={Tenant.State.RETENTION, Tenant.State.CANCELLED},
                       to=Tenant.State.ACTIVE, action="tenant.resubscribed", actor=actor,
                       changes={"access_ends_at": None, "retention_ends_at": None, "suspended_at": None,
                                "suspension_reason": ""})
