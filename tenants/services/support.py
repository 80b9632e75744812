"""Support access (SPEC R19, GCS art. 5): time-boxed grants the customer gives, each read audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record
from mooc_platform.audit import jsonable as _jsonable
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from tenants.errors import Code

from ..models import SupportAccessGrant, Tenant

SUPPORT_GRANT_MAX_DAYS = 30


SUPPORT_RESOURCES = {"users": ("accounts_user", SupportAccessGrant.Scope.USERS),
                     "courses": ("courses_course", SupportAccessGrant.Scope.COURSES)}


def support_grant_create(*, tenant: Tenant, scope: str, expires_at: datetime, actor: Any, reason: str = "",
                         now: datetime | None = None) -> SupportAccessGrant:
    """A customer administrator lets operators see `scope` until `expires_at` (at most 30 days)."""
    now = now or timezone.now()
    if scope not in SupportAccessGrant.Scope.values:
        raise ApplicationError(_("Unknown scope."), code=Code.INVALID_SCOPE,
                               details={"scope": scope, "allowed": SupportAccessGrant.Scope.values})
    if expires_at <= now or expires_at > now + timedelta(days=SUPPORT_GRANT_MAX_DAYS):
        raise ApplicationError(_("The expiry must be in the future and at most %(days)d days away.")
                               % {"days": SUPPORT_GRANT_MAX_DAYS},
                               code=Code.INVALID_EXPIRY, details={"expires_at": _jsonable(expires_at)})
    with transaction.atomic():
        grant = SupportAccessGrant.objects.create(tenant=tenant, scope=scope, expires_at=expires_at, reason=reason,
                                                  granted_by_email=actor.email)
        audit_record(action="support.granted", actor=actor, tenant=tenant, target=grant,
                     after={"scope": scope, "expires_at": _jsonable(expires_at)})
    return grant


def support_grant_revoke(*, grant: SupportAccessGrant, actor: Any, now: datetime | None = None
                         ) -> SupportAccessGrant:
    if grant.revoked_at is not None:
        raise ConflictError(_("This grant is already revoked."), code=Code.ALREADY_REVOKED)
    with transaction.atomic():
        grant.revoked_at = now or timezone.now()
        grant.revoked_by_email = actor.email
        grant.save(update_fields=["revoked_at", "revoked_by_email"])
        audit_record(action="support.revoked", actor=actor, tenant=grant.tenant, target=grant)
    return grant


def support_content_read(*, tenant: Tenant, resource: str, operator: Any, ip_address: str | None = None,
                         now: datetime | None = None) -> list[dict[str, Any]]:
    """An operator reads `resource` ("users" or "courses") of a tenant under a valid grant; the read
    is audited and listed to the customer. Raw reads of the schema (no tenant app imported)."""
    now = now or timezone.now()
    if resource not in SUPPORT_RESOURCES:
        raise NotFoundError(_("Unknown resource."), details={"resource": resource,
                                                             "allowed": sorted(SUPPORT_RESOURCES)})
    table, scope = SUPPORT_RESOURCES[resource]
    grant = next((g for g in SupportAccessGrant.objects.filter(tenant=tenant, revoked_at__isnull=True,
                                                               expires_at__gt=now)
                  if g.covers(scope=scope, now=now)), None)
    if grant is None:
        raise ForbiddenError(_("The customer has not granted support access to this content."),
                             code=Code.SUPPORT_ACCESS_NOT_GRANTED, details={"scope": scope})
    from ..selectors import schema_table_rows

    rows = schema_table_rows(schema_name=tenant.schema_name, table=table)
    audit_record(action="support.accessed", actor=operator, tenant=tenant, target=grant, ip_address=ip_address,
                 after={"resource": resource, "rows": len(rows), "grant_id": grant.pk})
    return rows
