"""Storage usage (SPEC R20): the tenant's counter reconciled with what S3 holds."""

from __future__ import annotations

from mooc_platform.storage import tenant_prefix

from .. import s3
from ..models import Tenant

EXPORTS_FOLDER = "exports/"


def storage_usage_reconcile(*, tenant: Tenant) -> int:
    """Set `storage_used_bytes` to the bytes of the tenant's current S3 objects (exports excluded,
    they are ours); returns the new figure."""
    prefix = tenant_prefix(schema_name=tenant.schema_name)
    used = s3.prefix_size(prefix=prefix, exclude_prefixes=(prefix + EXPORTS_FOLDER,))
    Tenant.objects.filter(pk=tenant.pk).update(storage_used_bytes=used)
    tenant.storage_used_bytes = used
    return used
