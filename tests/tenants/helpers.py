"""Helpers of the tenants tests: unique slugs and the tenant's objects on S3."""

from __future__ import annotations

from mooc_platform import storage
from tenants.models import Tenant
from tests.helpers import unique


def unique_slug(prefix: str = "t") -> str:
    return unique(prefix)


def s3_keys(tenant: Tenant) -> list[tuple[str, str]]:
    """Every (key, version id) left under the tenant's prefix, delete markers included."""
    listing = storage.s3_client().list_object_versions(Bucket=storage.bucket_name(),
                                                       Prefix=storage.tenant_prefix(schema_name=tenant.schema_name))
    return sorted([(v["Key"], v["VersionId"]) for v in listing.get("Versions", [])]
                  + [(m["Key"], m["VersionId"]) for m in listing.get("DeleteMarkers", [])])


def put_media(tenant: Tenant, name: str, body: bytes) -> str:
    key = f"{storage.tenant_prefix(schema_name=tenant.schema_name)}media/{name}"
    storage.object_put(key=key, body=body)
    return key
