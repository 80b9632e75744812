"""Purge (SPEC R12, R15): the schema dropped and the S3 prefix destroyed, resumable, with a destruction record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from mooc_platform.audit import audit_record
from mooc_platform.audit import jsonable as _jsonable
from mooc_platform.errors import ConflictError
from mooc_platform.storage import tenant_prefix
from tenants.errors import Code

from .. import s3
from ..models import CustomDomain, DestructionRecord, Domain, SupportAccessGrant, Tenant, TenantExport
from ..routing import tenant_cache_clear
from ..selectors import tenant_schema_tables
from .privacy import tenant_personal_data_anonymise


class PurgeRefusedError(ConflictError):
    code = Code.PURGE_REFUSED


def _purge_guard(*, tenant: Tenant, now: datetime) -> None:
    started = DestructionRecord.objects.filter(tenant=tenant, completed_at__isnull=True).exists()
    if tenant.state != Tenant.State.RETENTION or tenant.retention_ends_at is None:
        raise PurgeRefusedError(_("Only a tenant in retention can be destroyed (this one is %(state)s).")
                                % {"state": tenant.state})
    if tenant.retention_ends_at > now and not started:
        raise PurgeRefusedError(_("The retention period is not over."),
                                details={"retention_ends_at": _jsonable(tenant.retention_ends_at)})


def tenant_purge(*, tenant: Tenant, now: datetime | None = None, actor: Any = None, batch_size: int = 1000
                 ) -> DestructionRecord:
    """Destroy a tenant's data for good: every S3 object version under its prefix (in batches), then
    its schema and domains; the Tenant row stays (state `purged`, invoices refer to it).

    Guarded twice: the tenant must be in retention with its retention date past, checked before any
    deletion and again, under a row lock, before the schema is dropped. Progress is stored in the
    DestructionRecord, so a purge interrupted at any step is finished by the next call."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        _purge_guard(tenant=locked, now=now)
        record, created = DestructionRecord.objects.get_or_create(
            tenant=locked, defaults={"slug": locked.slug, "name": locked.name, "schema_name": locked.schema_name,
                                     "access_ends_at": locked.access_ends_at,
                                     "retention_ends_at": locked.retention_ends_at, "started_at": now})
        if created:
            audit_record(action="tenant.purge_started", actor=actor, tenant=locked, target=locked,
                         after={"retention_ends_at": _jsonable(locked.retention_ends_at)})

    def progress(count: int, size: int) -> None:
        DestructionRecord.objects.filter(pk=record.pk).update(
            objects_deleted=F("objects_deleted") + count, bytes_deleted=F("bytes_deleted") + size)

    # Run again after an interruption, and as a last pass before the drop: an object written meanwhile
    # (an export finishing, say) must not outlive the purge. With nothing left it is one listing.
    # Incomplete multipart uploads are no object version: abort them, or their parts would outlive the purge.
    s3.prefix_multipart_abort(prefix=tenant_prefix(schema_name=record.schema_name))
    s3.prefix_versions_delete(prefix=tenant_prefix(schema_name=record.schema_name), batch_size=batch_size,
                              on_batch=progress)
    if record.s3_completed_at is None:
        DestructionRecord.objects.filter(pk=record.pk).update(s3_completed_at=timezone.now())
    _purge_database(tenant=tenant, record_id=record.pk, now=now, actor=actor)
    record.refresh_from_db()
    tenant.refresh_from_db()
    return record


def _purge_database(*, tenant: Tenant, record_id: int, now: datetime, actor: Any) -> None:
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        record = DestructionRecord.objects.select_for_update().get(pk=record_id)
        if record.completed_at is not None:
            return
        _purge_guard(tenant=locked, now=now)
        if schema_exists(locked.schema_name):
            record.tables = tenant_schema_tables(schema_name=locked.schema_name)
            with connection.cursor() as cursor:
                # Deferred foreign-key checks of rows written earlier in this transaction would block the drop.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'DROP SCHEMA "{locked.schema_name}" CASCADE')
        domains = list(Domain.objects.filter(tenant=locked).values_list("domain", flat=True))
        Domain.objects.filter(tenant=locked).delete()
        CustomDomain.objects.filter(tenant=locked).delete()
        SupportAccessGrant.objects.filter(tenant=locked).delete()
        TenantExport.objects.filter(tenant=locked).update(s3_key="", status=TenantExport.Status.FAILED,
                                                          error="Destroyed with the tenant's data.")
        # SPEC R29: in the same transaction as the drop, so a resumed purge finds it done or not started.
        anonymised = tenant_personal_data_anonymise(tenant=locked)
        record.domains_deleted = domains
        record.completed_at = timezone.now()
        record.save()
        locked.state = Tenant.State.PURGED
        locked.purged_at = record.completed_at
        locked.storage_used_bytes = 0
        locked.save(update_fields=["state", "purged_at", "storage_used_bytes"])
        audit_record(action="tenant.purged", actor=actor, tenant=locked, target=locked,
                     before={"state": Tenant.State.RETENTION}, after={"state": Tenant.State.PURGED,
                     "rows_dropped": sum(record.tables.values()), "objects_deleted": record.objects_deleted,
                     "bytes_deleted": record.bytes_deleted, "anonymised": anonymised})
        tenant_cache_clear()
        transaction.on_commit(tenant_cache_clear)
    tenant.state, tenant.purged_at = locked.state, locked.purged_at
