"""Operator edits of a tenant (issue 9 item 12; issue 12): the console never writes a Tenant row itself.
Renames, limits, custom-domain removal and invitations go through here, audited. Billed limits (seats,
storage quota) reach `tenant_limits_set` only from a signed amendment quote
(invoicing.amendments.quote_amendment_create / quote_sign): never a silent change of what is invoiced."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.accounts.services import user_invitation_resend
from mooc_platform.audit import audit_record
from mooc_platform.audit import jsonable as _jsonable
from mooc_platform.errors import ApplicationError, ConflictError, NotFoundError

from ..errors import Code
from ..models import CustomDomain, Domain, Tenant
from ..routing import tenant_cache_clear
from .lifecycle import IllegalTransitionError


class InvitationAlreadyAcceptedError(ConflictError):
    code = Code.INVITATION_ACCEPTED


def _first_administrator_q() -> Any:
    return User.objects.filter(role=User.Role.ADMINISTRATOR, is_active=True).order_by("date_joined", "pk")


def tenant_first_administrator(*, tenant: Tenant) -> User | None:
    """The administrator created with the tenant (the earliest active administrator of its schema)."""
    with schema_context(tenant.schema_name):
        return _first_administrator_q().first()


def tenant_admin_invitation_resend(*, tenant: Tenant, actor: Any, now: datetime | None = None) -> str:
    """E-mail the first administrator a new one-time link to choose a password (issue 9 item 8): the
    administrator of a new tenant can never be locked out by an expired invitation. Refused once a
    password is set (the link would be useless) and for tenants without access. Returns the link.

    The one invitation flow (`mooc_platform.accounts.services.user_invitation_resend`) sends it: the links
    sent before stop working, and the event is `user.invitation_resent` (operator, client address)."""
    if tenant.state not in (Tenant.State.ACTIVE, Tenant.State.SUSPENDED, Tenant.State.CANCELLED):
        raise IllegalTransitionError(_("This organisation has no access any more: no invitation can be sent."),
                                     details={"state": tenant.state})
    admin = tenant_first_administrator(tenant=tenant)
    if admin is None:
        raise NotFoundError(_("This organisation has no administrator."))
    if admin.has_usable_password():
        raise InvitationAlreadyAcceptedError(
            _("%(email)s has already chosen a password: they can use “Forgot your password?”.")
            % {"email": admin.email}, details={"email": admin.email})
    return user_invitation_resend(user=admin, actor=actor, tenant=tenant)


def tenant_rename(*, tenant: Tenant, name: str, actor: Any) -> Tenant:
    """Change the organisation's display name (not its address: the slug is the schema and the host)."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ApplicationError(_("The name must be 1 to 200 characters."), code=Code.INVALID_NAME,
                               details={"name": name[:250]})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.name == name:
            return locked
        before = {"name": locked.name}
        locked.name = name
        locked.save(update_fields=["name"])
        audit_record(action="tenant.renamed", actor=actor, tenant=locked, target=locked, before=before,
                     after={"name": name})
        transaction.on_commit(tenant_cache_clear)
    tenant.name = name
    return tenant


def tenant_limits_set(*, tenant: Tenant, actor: Any = None, seat_limit: int | None = None,
                      storage_quota_bytes: int | None = None, custom_domains_allowed: bool | None = None,
                      reason: str = "") -> Tenant:
    """Apply new limits to a tenant, audited with before/after. Called by the signature of an amendment
    quote (billed limits) — the console itself only prepares that quote."""
    changes = {name: value for name, value in (("seat_limit", seat_limit), ("storage_quota_bytes",
                                                storage_quota_bytes), ("custom_domains_allowed",
                                                custom_domains_allowed)) if value is not None}
    for name in ("seat_limit", "storage_quota_bytes"):
        if name in changes and (not isinstance(changes[name], int) or changes[name] < 1):
            raise ApplicationError(_("A limit must be a positive whole number."), code=Code.INVALID_LIMIT,
                                   details={name: changes[name]})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = {name: getattr(locked, name) for name in changes}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changes))
        audit_record(action="tenant.limits_changed", actor=actor, tenant=locked, target=locked, before=before,
                     after={**changes, "reason": reason})
    for name, value in changes.items():
        setattr(tenant, name, value)
    return tenant


def tenant_language_set_by_schema(*, schema_name: str, language: str) -> None:
    """The language of the tenant whose schema is `schema_name` (its pages for visitors, its e-mails to people
    without one): the customer's administrators change it on their branding page (settings.TENANT_LANGUAGE_WRITER;
    the caller checks the role, the value and audits). The routing version trigger makes every process see it."""
    Tenant.objects.filter(schema_name=schema_name).exclude(language=language).update(language=language)


def custom_domain_remove(*, custom_domain: CustomDomain, actor: Any) -> None:
    """An operator withdraws a custom domain: it stops routing at once; the request is kept as evidence
    in the audit log (domain, who asked, when approved)."""
    with transaction.atomic():
        tenant = custom_domain.tenant
        Domain.objects.filter(domain=custom_domain.domain, tenant=tenant, is_primary=False).delete()
        audit_record(action="custom_domain.removed", actor=actor, tenant=tenant, target=custom_domain,
                     before={"domain": custom_domain.domain, "requested_by": custom_domain.requested_by_email,
                             "approved_at": _jsonable(custom_domain.approved_at)})
        custom_domain.delete()
        transaction.on_commit(tenant_cache_clear)
