"""S3 work on a whole tenant prefix (purge, export, usage). Every call goes through the project's one
boto3 client, `mooc_platform.storage.s3_client()` (STYLE: boto3 behind one integration module)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from mooc_platform import storage


def prefix_objects(*, prefix: str) -> Iterator[dict[str, Any]]:
    """Current objects under `prefix`, as S3 lists them (Key, Size, …)."""
    paginator = storage.s3_client().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=storage.bucket_name(), Prefix=prefix):
        yield from page.get("Contents", [])


def prefix_size(*, prefix: str, exclude_prefixes: tuple[str, ...] = ()) -> int:
    return sum(obj["Size"] for obj in prefix_objects(prefix=prefix)
               if not any(obj["Key"].startswith(p) for p in exclude_prefixes))


def prefix_multipart_bytes(*, prefix: str) -> int:
    """Bytes held by the parts of incomplete multipart uploads under `prefix`: stored (and billed)
    though no listing of objects shows them."""
    return sum(int(part["Size"])
               for upload in storage.multipart_uploads(prefix=prefix)
               for part in storage.multipart_parts(key=upload["Key"], upload_id=upload["UploadId"]))


def prefix_multipart_abort(*, prefix: str) -> int:
    """Abort every incomplete multipart upload under `prefix` (their parts are deleted); returns how many."""
    uploads = storage.multipart_uploads(prefix=prefix)
    for upload in uploads:
        storage.multipart_abort(key=upload["Key"], upload_id=upload["UploadId"])
    return len(uploads)


def prefix_versions_delete(*, prefix: str, batch_size: int = 1000,
                           on_batch: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Delete every version and delete marker under `prefix`, `batch_size` keys per request.

    Returns (objects deleted, bytes deleted). `on_batch(count, bytes)` runs after each batch so the
    caller can record progress. Safe to call again after an interruption: it lists what is left."""
    client, bucket = storage.s3_client(), storage.bucket_name()
    total_count = total_bytes = 0
    batch_size = max(1, min(batch_size, 1000))
    while True:
        listing = client.list_object_versions(Bucket=bucket, Prefix=prefix, MaxKeys=batch_size)
        entries = [(v["Key"], v["VersionId"], v.get("Size", 0)) for v in listing.get("Versions", [])]
        entries += [(m["Key"], m["VersionId"], 0) for m in listing.get("DeleteMarkers", [])]
        if not entries:
            return total_count, total_bytes
        for start in range(0, len(entries), batch_size):
            chunk = entries[start:start + batch_size]
            client.delete_objects(Bucket=bucket, Delete={
                "Objects": [{"Key": key, "VersionId": version} for key, version, _ in chunk], "Quiet": True})
            count, size = len(chunk), sum(s for _, _, s in chunk)
            total_count += count
            total_bytes += size
            if on_batch is not None:
                on_batch(count, size)


def object_body(*, key: str) -> IO[bytes]:
    return storage.s3_client().get_object(Bucket=storage.bucket_name(), Key=key)["Body"]


def fileobj_upload(*, key: str, fileobj: IO[bytes], content_type: str) -> None:
    storage.s3_client().upload_fileobj(fileobj, storage.bucket_name(), key, ExtraArgs={"ContentType": content_type})
