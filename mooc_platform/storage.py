"""The one boto3 integration module (STYLE): every S3 call of the project goes through here.

Objects of a tenant live under `tenants/<schema_name>/`, so a purge deletes one prefix."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from django.conf import settings


@lru_cache(maxsize=4)
def _client(endpoint: str | None, region: str, key: str | None, secret: str | None) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"},
                      connect_timeout=3, read_timeout=30),
    )


def s3_client() -> Any:
    return _client(settings.AWS_S3_ENDPOINT_URL, settings.AWS_S3_REGION_NAME,
                   settings.AWS_ACCESS_KEY_ID, settings.AWS_SECRET_ACCESS_KEY)


def bucket_name() -> str:
    return settings.AWS_STORAGE_BUCKET_NAME


def tenant_prefix(*, schema_name: str) -> str:
    return f"tenants/{schema_name}/"


def object_put(*, key: str, body: bytes, content_type: str = "application/octet-stream") -> None:
    s3_client().put_object(Bucket=bucket_name(), Key=key, Body=body, ContentType=content_type)


def object_get(*, key: str) -> bytes:
    return s3_client().get_object(Bucket=bucket_name(), Key=key)["Body"].read()


def object_delete(*, key: str) -> None:
    """Delete one object; a key ending in "/" names a folder (an unpacked SCORM package, issue 14 item 6), whose
    objects are all deleted."""
    if key.endswith("/"):
        folder_delete(prefix=key)
        return
    s3_client().delete_object(Bucket=bucket_name(), Key=key)


def folder_delete(*, prefix: str) -> int:
    """Delete every object under `prefix` (which ends in "/"), 1,000 per request; returns how many."""
    if not prefix.endswith("/") or prefix.count("/") < 3:  # never a tenant's whole prefix, nor the bucket's
        raise ValueError(f"not a folder under a tenant's prefix: {prefix!r}")
    client = s3_client()
    deleted = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket_name(), Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket_name(), Delete={"Objects": keys, "Quiet": True})
            deleted += len(keys)
    return deleted


def object_head(*, key: str) -> dict[str, Any] | None:
    """The object's metadata (ContentLength, ContentType, ETag…), None when there is no such object."""
    client = s3_client()
    try:
        return client.head_object(Bucket=bucket_name(), Key=key)
    except client.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def presigned_get_url(*, key: str, expires_in: int = 300, filename: str | None = None) -> str:
    params: dict[str, Any] = {"Bucket": bucket_name(), "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
    return s3_client().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


UPLOAD_URL_SECONDS = 900


def presigned_put_url(*, key: str, content_type: str, content_length: int,
                      expires_in: int = UPLOAD_URL_SECONDS) -> str:
    """A presigned PUT bound to its declared size: Content-Type and Content-Length are signed headers,
    so S3 refuses a body of any other length (issue 11 item 5). The browser must send both (without
    the type moto stores an empty object; the length a browser always sends)."""
    return s3_client().generate_presigned_url(
        "put_object", Params={"Bucket": bucket_name(), "Key": key, "ContentType": content_type,
                              "ContentLength": content_length},
        ExpiresIn=expires_in,
    )


def bucket_check() -> None:
    """Raises when the bucket cannot be reached (used by /healthz)."""
    s3_client().head_bucket(Bucket=bucket_name())


ABORT_INCOMPLETE_RULE_ID = "abort-incomplete-multipart-uploads"
ABORT_INCOMPLETE_DAYS = 2


def bucket_lifecycle_ensure(*, client: Any = None, bucket: str | None = None) -> None:
    """Set the bucket's lifecycle rule that aborts multipart uploads left incomplete for
    ABORT_INCOMPLETE_DAYS (their parts are billed but listed nowhere); other rules are kept. Called at
    start-up (devstack, Celery worker); idempotent."""
    client = client or s3_client()
    bucket = bucket or bucket_name()
    try:
        rules = client.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
    except client.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchLifecycleConfiguration":
            raise
        rules = []
    rules = [r for r in rules if r.get("ID") != ABORT_INCOMPLETE_RULE_ID]
    rules.append({"ID": ABORT_INCOMPLETE_RULE_ID, "Status": "Enabled", "Filter": {"Prefix": ""},
                  "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABORT_INCOMPLETE_DAYS}})
    client.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def storage_usage_add(*, delta_bytes: int) -> None:
    """Keep the current tenant's S3 usage current on upload (+) and delete (-) (SPEC R20).

    The Tenant row lives in `public`; tenants updates it by value (settings.TENANT_STORAGE_COUNTER), so
    tenant apps never import the tenants app."""
    from django.db import connection
    from django.utils.module_loading import import_string

    tenant = getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return
    # By schema name: inside `schema_context` (tests, scripts) connection.tenant is a FakeTenant without a pk.
    import_string(settings.TENANT_STORAGE_COUNTER)(schema_name=tenant.schema_name, delta_bytes=delta_bytes)


# --- Multipart uploads (large videos): the browser PUTs each part to its own presigned URL --------


def multipart_create(*, key: str, content_type: str) -> str:
    """Start a multipart upload; returns its UploadId. The object's Content-Type is fixed here."""
    return s3_client().create_multipart_upload(Bucket=bucket_name(), Key=key, ContentType=content_type)["UploadId"]


def multipart_part_url(*, key: str, upload_id: str, part_number: int, content_length: int,
                       expires_in: int = UPLOAD_URL_SECONDS) -> str:
    """A presigned part PUT, short-lived and bound to its size (Content-Length signed): the parts of
    an upload add up to its declared size at most."""
    return s3_client().generate_presigned_url(
        "upload_part", Params={"Bucket": bucket_name(), "Key": key, "UploadId": upload_id, "PartNumber": part_number,
                               "ContentLength": content_length},
        ExpiresIn=expires_in,
    )


def multipart_parts(*, key: str, upload_id: str) -> list[dict[str, Any]]:
    """The parts S3 holds for an incomplete upload (PartNumber, ETag, Size)."""
    client = s3_client()
    parts: list[dict[str, Any]] = []
    marker = 0
    while True:
        page = client.list_parts(Bucket=bucket_name(), Key=key, UploadId=upload_id, PartNumberMarker=marker)
        parts += page.get("Parts", [])
        if not page.get("IsTruncated"):
            return parts
        marker = page["NextPartNumberMarker"]


def multipart_uploads(*, prefix: str) -> list[dict[str, Any]]:
    """Incomplete multipart uploads under `prefix` (Key, UploadId)."""
    paginator = s3_client().get_paginator("list_multipart_uploads")
    return [upload for page in paginator.paginate(Bucket=bucket_name(), Prefix=prefix)
            for upload in page.get("Uploads", [])]


def multipart_complete(*, key: str, upload_id: str) -> None:
    """Complete with the parts S3 received (listed server-side, so browsers need not read ETags)."""
    client = s3_client()
    parts = [{"ETag": p["ETag"], "PartNumber": p["PartNumber"]} for p in multipart_parts(key=key, upload_id=upload_id)]
    client.complete_multipart_upload(Bucket=bucket_name(), Key=key, UploadId=upload_id,
                                     MultipartUpload={"Parts": parts})


def multipart_abort(*, key: str, upload_id: str) -> None:
    s3_client().abort_multipart_upload(Bucket=bucket_name(), Key=key, UploadId=upload_id)


# --- The storage quota (SPEC R20): the one rule, read by courses (upload warnings) and tenants (status) ---
STORAGE_WARNING_PERCENT = 80


def storage_level(*, used: int, quota: int) -> str:
    """"full" when usage reached the quota (or there is no quota), "warning" from 80 %, else "ok"."""
    if quota <= 0 or used >= quota:
        return "full"
    if used * 100 >= quota * STORAGE_WARNING_PERCENT:
        return "warning"
    return "ok"


def object_upload(*, key: str, fileobj: Any, content_type: str = "application/octet-stream") -> None:
    """Upload a file object (a large one in parts, without holding it in memory)."""
    s3_client().upload_fileobj(fileobj, bucket_name(), key, ExtraArgs={"ContentType": content_type})


def object_stream(*, key: str) -> Any:
    """The object's body as a stream (`.read(n)`, a context manager)."""
    return s3_client().get_object(Bucket=bucket_name(), Key=key)["Body"]


def object_copy(*, source_key: str, key: str) -> None:
    """Copy an object inside the bucket, server-side (S3 CopyObject; in parts past 5 GB): the bytes never come
    through the application. Duplicating a course copies its media so (issue 14 item 5). Keys ending in "/"
    name folders (an unpacked SCORM package): every object under the source folder is copied under `key`."""
    if source_key.endswith("/") or key.endswith("/"):
        folder_copy(source_prefix=source_key, prefix=key)
        return
    s3_client().copy({"Bucket": bucket_name(), "Key": source_key}, bucket_name(), key)


def folder_copy(*, source_prefix: str, prefix: str) -> int:
    """Copy every object under `source_prefix` to the same relative path under `prefix`; returns how many."""
    for name in (source_prefix, prefix):
        if not name.endswith("/") or name.count("/") < 3:  # never a tenant's whole prefix, nor the bucket's
            raise ValueError(f"not a folder under a tenant's prefix: {name!r}")
    client = s3_client()
    copied = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket_name(), Prefix=source_prefix):
        for item in page.get("Contents", []):
            client.copy({"Bucket": bucket_name(), "Key": item["Key"]}, bucket_name(),
                        prefix + item["Key"][len(source_prefix):])
            copied += 1
    return copied
