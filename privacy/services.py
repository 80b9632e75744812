"""Writes: an organisation's privacy notice (audited); its anonymisation when the organisation is purged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, Code, ForbiddenError
from tenants.models import Tenant

from .models import TenantPrivacyNotice

NOTICE_MAX = 50_000


@transaction.atomic
def tenant_privacy_notice_set(*, tenant: Tenant, actor: Any, text: str, now: datetime | None = None
                              ) -> TenantPrivacyNotice:
    """The organisation's administrators write its privacy notice (what it does with its users' data, whom to
    ask); shown to every user at /privacy/. Audited with its length, not its text."""
    if not getattr(actor, "is_tenant_admin", False):
        raise ForbiddenError(_("Only the organisation's administrators edit its privacy notice."))
    text = (text or "").strip()
    if len(text) > NOTICE_MAX:
        raise ApplicationError(_("At most %(n)s characters.") % {"n": NOTICE_MAX}, code=Code.VALIDATION_ERROR,
                               details={"text": [_("At most %(n)s characters.") % {"n": NOTICE_MAX}]})
    notice, _created = TenantPrivacyNotice.objects.select_for_update().get_or_create(
        tenant=tenant, defaults={"updated_at": now or timezone.now()})
    before = len(notice.text)
    notice.text, notice.updated_at, notice.updated_by_email = text, now or timezone.now(), actor.email
    notice.save()
    audit_record(action="privacy_notice.updated", actor=actor, tenant=tenant, target=notice,
                 before={"length": before}, after={"length": len(text)})
    return notice


def tenant_privacy_notice_anonymise(*, tenant: Any) -> int:
    """Named in settings.TENANT_PURGE_ANONYMISERS: who last wrote the notice is forgotten with the tenant."""
    return TenantPrivacyNotice.objects.filter(tenant=tenant).exclude(updated_by_email="").update(updated_by_email="")
