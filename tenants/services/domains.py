"""Custom domains (SPEC R1): requested by the customer, verified by a DNS TXT token, approved by an operator."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError
from tenants.errors import Code

from ..models import CustomDomain, Domain, Tenant
from ..routing import tenant_cache_clear

DOMAIN_PATTERN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def custom_domain_request(*, tenant: Tenant, domain: str, actor: Any = None) -> CustomDomain:
    """A customer asks for its own host name; it routes once verified (DNS TXT) and approved."""
    domain = (domain or "").strip().lower().rstrip(".")
    if not tenant.custom_domains_allowed:
        raise ForbiddenError(_("Your plan does not include custom domains."), code=Code.CUSTOM_DOMAINS_NOT_INCLUDED)
    if not DOMAIN_PATTERN.match(domain) or domain.endswith(settings.PLATFORM_DOMAIN):
        raise ApplicationError(_("Not a valid domain name for your organisation."), code=Code.INVALID_DOMAIN,
                               details={"domain": domain})
    if CustomDomain.objects.filter(domain=domain).exists() or Domain.objects.filter(domain=domain).exists():
        raise ConflictError(_("This domain is already registered."), code=Code.DOMAIN_TAKEN, details={"domain": domain})
    with transaction.atomic():
        custom = CustomDomain.objects.create(tenant=tenant, domain=domain, verification_token=secrets.token_hex(16),
                                             requested_by_email=getattr(actor, "email", ""))
        audit_record(action="custom_domain.requested", actor=actor, tenant=tenant, target=custom,
                     after={"domain": domain})
    return custom


def custom_domain_verify(*, custom_domain: CustomDomain, txt_records: list[str] | None = None,
                         now: datetime | None = None) -> CustomDomain:
    """Mark the domain verified when the TXT record `_mooc-verification.<domain>` holds its token, with its audit
    event in one transaction (the DNS look-up stays outside it); a second verification changes nothing.
    `txt_records` defaults to a live DNS look-up (tests pass the records)."""
    from .. import dns

    name = dns.verification_record_name(domain=custom_domain.domain)
    records = dns.txt_records(name=name) if txt_records is None else txt_records
    if custom_domain.verification_token not in {r.strip().strip('"') for r in records}:
        raise ApplicationError(_("The verification record was not found."), code=Code.DOMAIN_NOT_VERIFIED,
                               details={"record": name, "type": "TXT",
                                        "expected": custom_domain.verification_token})
    with transaction.atomic():  # the verification and its audit event together, or neither
        locked = CustomDomain.objects.select_for_update().select_related("tenant").get(pk=custom_domain.pk)
        if locked.verified_at is None:
            locked.verified_at = now or timezone.now()
            locked.save(update_fields=["verified_at"])
            audit_record(action="custom_domain.verified", tenant=locked.tenant, target=locked)
    custom_domain.verified_at = locked.verified_at
    return custom_domain


def custom_domain_approve(*, custom_domain: CustomDomain, actor: Any, now: datetime | None = None) -> Domain:
    """An operator approves a verified custom domain: from now on it routes to the tenant."""
    if custom_domain.verified_at is None:
        raise ConflictError(_("Verify the domain before approving it."), code=Code.DOMAIN_NOT_VERIFIED)
    with transaction.atomic():
        custom_domain.approved_at = now or timezone.now()
        custom_domain.approved_by_email = getattr(actor, "email", "")
        custom_domain.save(update_fields=["approved_at", "approved_by_email"])
        domain = Domain.objects.create(domain=custom_domain.domain, tenant=custom_domain.tenant, is_primary=False,
                                       verification_token=custom_domain.verification_token,
                                       verified_at=custom_domain.verified_at)
        audit_record(action="custom_domain.approved", actor=actor, tenant=custom_domain.tenant,
                     target=custom_domain, after={"domain": custom_domain.domain})
    transaction.on_commit(tenant_cache_clear)
    return domain
