"""Exports (SPEC R14): the customer's data as a downloadable archive, built by a task."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record
from mooc_platform.errors import ConflictError
from tenants.errors import Code

from ..models import DestructionRecord, Tenant, TenantExport

EXPORTABLE_STATES = {Tenant.State.ACTIVE, Tenant.State.SUSPENDED, Tenant.State.CANCELLED, Tenant.State.RETENTION}


def tenant_export_request(*, tenant: Tenant, actor: Any) -> TenantExport:
    """An administrator asks for a full export; a Celery task builds it (`exports.export_build`)."""
    now = timezone.now()
    due = tenant.state == Tenant.State.RETENTION and tenant.retention_ends_at and tenant.retention_ends_at <= now
    if tenant.state not in EXPORTABLE_STATES or due or DestructionRecord.objects.filter(tenant=tenant).exists():
        raise ConflictError(_("This organisation's data can no longer be exported."), code=Code.EXPORT_UNAVAILABLE)
    with transaction.atomic():
        Tenant.objects.select_for_update().get(pk=tenant.pk)
        if TenantExport.objects.filter(tenant=tenant, status__in=[TenantExport.Status.PENDING,
                                                                  TenantExport.Status.RUNNING]).exists():
            raise ConflictError(_("An export is already being prepared."), code=Code.EXPORT_IN_PROGRESS)
        export = TenantExport.objects.create(tenant=tenant, requested_by_email=actor.email)
        audit_record(action="tenant.export_requested", actor=actor, tenant=tenant, target=export)
        from ..tasks import tenant_export_build_task

        transaction.on_commit(lambda: tenant_export_build_task.delay(export_id=export.pk))
    return export
