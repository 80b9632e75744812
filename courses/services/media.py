"""Media on S3 (SPEC R20): presigned uploads under the tenant's prefix, quota and its warnings."""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.accounts.selectors import administrators_active
from mooc_platform.emails import email_send

from ..errors import StorageQuotaExceededError, UploadRefusedError
from ..models import Course, MediaUpload
from .branding import branding_display_name, tenant_limits

MB = 1024 * 1024


UPLOAD_RULES: dict[str, tuple[set[str], int]] = {
    MediaUpload.Purpose.VIDEO: ({"video/mp4", "video/webm", "video/ogg", "video/quicktime"}, 4 * 1024 * MB),
    MediaUpload.Purpose.FILE: ({"application/pdf", "application/zip", "text/plain", "text/csv", "image/png",
                                "image/jpeg", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                "application/vnd.oasis.opendocument.text"}, 200 * MB),
    MediaUpload.Purpose.LOGO: ({"image/png", "image/jpeg", "image/webp"}, 2 * MB),
    MediaUpload.Purpose.COVER: ({"image/png", "image/jpeg", "image/webp"}, 10 * MB),  # resized on use
    # A SCORM package's zip, unpacked by a task (courses.services.scorm) and deleted then.
    MediaUpload.Purpose.SCORM: ({"application/zip", "application/x-zip-compressed"}, 500 * MB),
    # An image in a lesson's text (the editor's image button): shown through /courses/<slug>/images/<id>/.
    MediaUpload.Purpose.IMAGE: ({"image/png", "image/jpeg", "image/webp", "image/gif"}, 10 * MB),
}


def storage_warning(*, used: int, quota: int) -> str | None:
    """The percentage of the quota reached, as the upload API and the banner say it: '100' when usage
    reached the quota, '80' from 80 %, else None (the rule: `mooc_platform.storage.storage_level`)."""
    level = storage.storage_level(used=used, quota=quota)
    return {"full": "100", "warning": str(storage.STORAGE_WARNING_PERCENT)}.get(level)


def _safe_filename(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", name.rsplit("/", 1)[-1]).strip("-.")
    return base[:100] or "file"


@dataclass
class SignedUpload:
    """`url` for one PUT, or `part_urls` (each PUT carries `part_size` bytes, the last one the rest)
    for a multipart upload; then confirm."""

    upload: MediaUpload
    url: str
    headers: dict[str, str]
    storage_warning: str | None
    part_size: int | None = None
    part_urls: list[str] = field(default_factory=list)


def _multipart_threshold() -> tuple[int, int]:
    from django.conf import settings

    return (getattr(settings, "COURSES_MULTIPART_THRESHOLD", 64 * MB),
            getattr(settings, "COURSES_MULTIPART_PART_SIZE", 16 * MB))


def upload_reservation_seconds() -> int:
    """How long a signed, unconfirmed upload holds its declared size against the quota: the life of
    its URLs plus the time to finish sending the bytes. Past it, the periodic task deletes it."""
    from django.conf import settings

    return getattr(settings, "COURSES_UPLOAD_RESERVATION_SECONDS", 3600)


def uploads_pending(*, now: datetime) -> QuerySet[MediaUpload]:
    """Signed, unconfirmed uploads whose reservation still holds."""
    return MediaUpload.objects.filter(confirmed_at__isnull=True, created_at__lte=now,
                                      created_at__gt=now - timedelta(seconds=upload_reservation_seconds()))


def storage_reserved_bytes(*, now: datetime) -> int:
    """Bytes reserved by pending uploads (SPEC R20: the quota counts what is on its way)."""
    return uploads_pending(now=now).aggregate(total=Sum("declared_size"))["total"] or 0


@transaction.atomic
def media_upload_sign(*, actor: User, purpose: str, filename: str, content_type: str, size: int,
                      course: Course | None = None) -> SignedUpload:
    """Presign a browser PUT under the tenant's prefix, after checking type, size and quota. An image of a text
    (`purpose` image) belongs to `course`, whose readers see it."""
    if purpose not in UPLOAD_RULES:
        raise UploadRefusedError(_("Unknown upload purpose %(purpose)s.") % {"purpose": repr(purpose)})
    if (purpose == MediaUpload.Purpose.IMAGE) != (course is not None):
        raise UploadRefusedError(_("An image of a text belongs to a course: give the course, and only for images."))
    types, max_size = UPLOAD_RULES[purpose]
    if content_type not in types:
        raise UploadRefusedError(_("Files of type %(type)s are not accepted here.") % {"type": repr(content_type)},
                                 details={"accepted": sorted(types)})
    if size <= 0 or size > max_size:
        raise UploadRefusedError(_("The file must weigh between 1 byte and %(mb)s MB.") % {"mb": max_size // MB},
                                 details={"max_bytes": max_size})
    limits = tenant_limits(for_update=True)  # the tenant row lock serialises the signatures of a tenant
    reserved = storage_reserved_bytes(now=timezone.now())
    if limits.storage_used_bytes + reserved + size > limits.storage_quota_bytes:
        raise StorageQuotaExceededError(
            _("The organisation's storage quota is used up: delete content or raise the quota first."),
            details={"quota_bytes": limits.storage_quota_bytes, "used_bytes": limits.storage_used_bytes,
                     "reserved_bytes": reserved, "requested_bytes": size})
    key = (f"{storage.tenant_prefix(schema_name=connection.schema_name)}media/{purpose}/{uuid.uuid4().hex}/"
           f"{_safe_filename(filename)}")
    warning = storage_warning(used=limits.storage_used_bytes + reserved + size, quota=limits.storage_quota_bytes)
    threshold, part_size = _multipart_threshold()
    if size > threshold:  # large videos: one presigned URL per part
        multipart_id = storage.multipart_create(key=key, content_type=content_type)
        upload = MediaUpload.objects.create(key=key, purpose=purpose, filename=filename[:200],
                                            content_type=content_type, declared_size=size, created_by=actor,
                                            multipart_id=multipart_id, course=course)
        parts = -(-size // part_size)
        # Each part URL is bound to its exact length, so the parts add up to the declared size at most.
        urls = [storage.multipart_part_url(key=key, upload_id=multipart_id, part_number=n,
                                           content_length=min(part_size, size - (n - 1) * part_size))
                for n in range(1, parts + 1)]
        return SignedUpload(upload=upload, url="", headers={}, storage_warning=warning, part_size=part_size,
                            part_urls=urls)
    upload = MediaUpload.objects.create(key=key, purpose=purpose, filename=filename[:200], content_type=content_type,
                                        declared_size=size, created_by=actor, course=course)
    url = storage.presigned_put_url(key=key, content_type=content_type, content_length=size)
    return SignedUpload(upload=upload, url=url, headers={"Content-Type": content_type, "Content-Length": str(size)},
                        storage_warning=warning)


def media_upload_confirm(*, upload: MediaUpload) -> tuple[MediaUpload, str | None]:
    """The browser says its PUT finished: check the object, count its real size in the usage.
    Returns the upload and the storage warning ('80', '100' or None).

    Idempotent under concurrency: the upload row is locked before anything is checked, so a second
    confirm of the same upload waits and then finds it confirmed (counted once)."""
    with transaction.atomic():
        locked = MediaUpload.objects.select_for_update().filter(pk=upload.pk).first()
        if locked is None:
            raise UploadRefusedError(_("This upload does not exist any more: sign a new one."),
                                     code=Code.UPLOAD_MISSING)
        if locked.confirmed_at is not None:
            limits = tenant_limits()
            return locked, storage_warning(used=limits.storage_used_bytes, quota=limits.storage_quota_bytes)
        outcome = _upload_confirm_locked(upload=locked)
    if isinstance(outcome, Exception):  # raised once the refused upload's deletion is committed
        raise outcome
    return outcome


def _upload_refuse(upload: MediaUpload, error: Exception) -> Exception:
    """Delete what was sent and the reservation; returns `error` for the caller to raise after commit."""
    if upload.multipart_id:
        with contextlib.suppress(Exception):
            storage.multipart_abort(key=upload.key, upload_id=upload.multipart_id)
    storage.object_delete(key=upload.key)
    upload.delete()
    return error


def _upload_confirm_locked(*, upload: MediaUpload) -> tuple[MediaUpload, str | None] | Exception:
    try:
        if upload.multipart_id:
            sent = sum(int(part["Size"]) for part in storage.multipart_parts(key=upload.key,
                                                                             upload_id=upload.multipart_id))
            if sent > upload.declared_size:
                return _upload_refuse(upload, StorageQuotaExceededError(_("The file is larger than announced."),
                                                                        details={"size": sent}))
            storage.multipart_complete(key=upload.key, upload_id=upload.multipart_id)
            upload.multipart_id = ""
            upload.save(update_fields=["multipart_id"])
        head = storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=upload.key)
    except Exception as exc:
        raise UploadRefusedError(_("The file has not arrived in storage yet."), code=Code.UPLOAD_MISSING) from exc
    size = int(head["ContentLength"])
    if head.get("ContentType") != upload.content_type:  # S3 enforces the signed type; check anyway
        return _upload_refuse(upload, UploadRefusedError(_("The file was stored with another type than announced.")))
    limits = tenant_limits(for_update=True)
    if size > upload.declared_size or limits.storage_used_bytes + size > limits.storage_quota_bytes:
        return _upload_refuse(upload, StorageQuotaExceededError(
            _("The file is larger than announced or the quota is used up."), details={"size": size}))
    upload.size = size
    upload.confirmed_at = timezone.now()
    upload.save(update_fields=["size", "confirmed_at"])
    storage.storage_usage_add(delta_bytes=size)
    before = storage_warning(used=limits.storage_used_bytes, quota=limits.storage_quota_bytes)
    after = storage_warning(used=limits.storage_used_bytes + size, quota=limits.storage_quota_bytes)
    if after is not None and after != before:
        _storage_warning_send(level=after, used=limits.storage_used_bytes + size, quota=limits.storage_quota_bytes)
    return upload, after


def _storage_warning_send(*, level: str, used: int, quota: int) -> None:
    """E-mail the administrators when usage crosses 80 % or reaches 100 % of the quota (SPEC R20)."""
    admins = list(administrators_active().values_list("email", "language"))
    context = {"level": level, "used": used, "quota": quota, "organisation": branding_display_name()}
    for language in {lang for _admin, lang in admins}:
        recipients = [email for email, lang in admins if lang == language]
        transaction.on_commit(lambda r=recipients, lang=language: email_send(
            to=r, template="courses/emails/storage_warning", context=context, language=lang))


@transaction.atomic
def media_delete(*, upload: MediaUpload) -> None:
    """Delete the object and its row, and give its bytes back to the quota. Idempotent under
    concurrency: the row is locked first, and a second delete finds nothing left to count."""
    locked = MediaUpload.objects.select_for_update().filter(pk=upload.pk).first()
    if locked is None:
        return
    if locked.multipart_id:
        with contextlib.suppress(Exception):  # already completed or aborted
            storage.multipart_abort(key=locked.key, upload_id=locked.multipart_id)
    storage.object_delete(key=locked.key)
    if locked.confirmed_at is not None and locked.size:
        storage.storage_usage_add(delta_bytes=-locked.size)
    locked.delete()


def media_uploads_expire(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Release the reservations of uploads signed but never confirmed in time: their objects (or
    incomplete multipart uploads) are deleted with their rows. Rows being confirmed right now are
    skipped (locked). Returns how many were released. The periodic task runs it in every tenant."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=upload_reservation_seconds())
    released = 0
    while True:
        with transaction.atomic():
            batch = list(MediaUpload.objects.select_for_update(skip_locked=True)
                         .filter(confirmed_at__isnull=True, created_at__lte=cutoff).order_by("id")[:batch_size])
            for upload in batch:
                if upload.multipart_id:
                    with contextlib.suppress(Exception):
                        storage.multipart_abort(key=upload.key, upload_id=upload.multipart_id)
                storage.object_delete(key=upload.key)
                upload.delete()
        released += len(batch)
        if len(batch) < batch_size:
            return released


def media_download_url(*, upload: MediaUpload, attachment: bool = False) -> str:
    return storage.presigned_get_url(key=upload.key, filename=_safe_filename(upload.filename) if attachment else None)
