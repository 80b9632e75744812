"""Storage usage (SPEC R20): the tenant's counter reconciled with what S3 holds."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from mooc_platform.storage import tenant_prefix

from .. import s3
from ..models import Tenant

EXPORTS_FOLDER = "exports/"


def storage_usage_reconcile(*, tenant: Tenant) -> int:
    """Set `storage_used_bytes` to the bytes of the tenant's current S3 objects (exports excluded,
    they are ours) plus the parts of its incomplete multipart uploads (stored, though listed as no
    object); returns the new figure.

    The tenant row is locked while S3 is listed and the figure written: an upload confirmed meanwhile (which adds
    its size with `F()` under the same row lock) waits and adds it on top, so its increment is never lost. An
    object stored during the listing may then count twice until the next reconciliation: the error is on the
    side that protects the quota, never an upload forgotten."""
    prefix = tenant_prefix(schema_name=tenant.schema_name)
    with transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk", flat=True).first()
        used = s3.prefix_size(prefix=prefix, exclude_prefixes=(prefix + EXPORTS_FOLDER,))
        used += s3.prefix_multipart_bytes(prefix=prefix)
        Tenant.objects.filter(pk=tenant.pk).update(storage_used_bytes=used)
    tenant.storage_used_bytes = used
    return used


def storage_usage_reconcile_all() -> int:
    """Reconcile every live tenant's S3 usage (beat, daily); returns how many tenants were reconciled."""
    live = Tenant.objects.exclude(schema_name="public").exclude(state=Tenant.State.PURGED).only("id", "schema_name")
    count = 0
    for tenant in live.iterator():
        storage_usage_reconcile(tenant=tenant)
        count += 1
    return count


def storage_usage_add(*, schema_name: str, delta_bytes: int) -> None:
    """Keep a tenant's S3 usage current on upload (+) and delete (-) (SPEC R20), by schema name, in one
    UPDATE (concurrent uploads never lose an increment). Reached by value through
    settings.TENANT_STORAGE_COUNTER from `mooc_platform.storage.storage_usage_add`."""
    # Never below zero, whatever a double delete or a stale figure would make of it (issue 11 item 5).
    Tenant.objects.filter(schema_name=schema_name).update(
        storage_used_bytes=Greatest(F("storage_used_bytes") + delta_bytes, Value(0)))
