"""The catalogue (issue 14 item 2): categories and course cover images.

A cover is uploaded like every medium (presigned PUT under the tenant's prefix, then confirm, SPEC R20);
`course_cover_set` then reads it back from S3, resizes it with Pillow to COVER_SIZE (cropped to fill,
JPEG), stores the resized image in place of the original and counts the difference in the quota."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import uuid

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from courses.errors import Code
from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError

from ..errors import UploadRefusedError
from ..models import Category, Course, MediaUpload
from .media import media_delete

logger = logging.getLogger(__name__)

COVER_SIZE = (1200, 675)  # 16:9, sharp on a 2× screen at the catalogue card's width
COVER_MAX_PIXELS = 40_000_000  # a decompression bomb is refused before Pillow decodes it
COVER_FORMATS = {"PNG", "JPEG", "WEBP"}


def _slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:90] or "category"


@transaction.atomic
def category_create(*, actor: User, name: str) -> Category:
    """A new category of the catalogue (instructors and administrators)."""
    if not actor.is_course_staff:
        raise ForbiddenError(_("Only instructors and administrators can do this."))
    name = (name or "").strip()[:100]
    if not name:
        raise ApplicationError(_("A category needs a name."), code=Code.VALIDATION_ERROR,
                               details={"name": [_("A category needs a name.")]})
    if Category.objects.filter(name__iexact=name).exists():
        raise ConflictError(_("This category already exists."), code=Code.DUPLICATE,
                            details={"name": [_("This category already exists.")]})
    slug, n = _slugify(name), 1
    while Category.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{_slugify(name)[:85]}-{n}"
    try:
        with transaction.atomic():
            return Category.objects.create(name=name, slug=slug)
    except IntegrityError as exc:  # created by a concurrent request
        raise ConflictError(_("This category already exists."), code=Code.DUPLICATE) from exc


def cover_resize(*, data: bytes) -> bytes:
    """The image in `data` as a COVER_SIZE JPEG (cropped to fill, EXIF orientation applied).
    UploadRefusedError when it is not a PNG, JPEG or WebP image or is unreasonably large."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in COVER_FORMATS:
                raise UploadRefusedError(_("A cover image is a PNG, JPEG or WebP image."))
            if image.width * image.height > COVER_MAX_PIXELS:
                raise UploadRefusedError(_("This image is too large (40 megapixels at most)."))
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, (255, 255, 255))
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            fitted = ImageOps.fit(image.convert("RGB"), COVER_SIZE, method=Image.Resampling.LANCZOS)
            out = io.BytesIO()
            fitted.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
            return out.getvalue()
    except UploadRefusedError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UploadRefusedError(_("This file is not an image that can be read.")) from exc


def course_cover_set(*, course: Course, actor: User, upload_id: int) -> Course:
    """Make the confirmed cover upload `upload_id` the course's cover, resized (the previous one is deleted)."""
    if not actor.is_course_staff:
        raise ForbiddenError(_("Only instructors and administrators can do this."))
    upload = MediaUpload.objects.filter(pk=upload_id, purpose=MediaUpload.Purpose.COVER,
                                        confirmed_at__isnull=False).first()
    if upload is None:
        raise UploadRefusedError(_("This upload does not exist or was not confirmed."))
    if Course.objects.filter(cover=upload).exclude(pk=course.pk).exists():
        raise UploadRefusedError(_("This upload already belongs to another course."))
    if course.cover_id == upload.pk:
        return course
    try:
        original = storage.object_get(key=upload.key)
    except Exception as exc:
        raise UploadRefusedError(_("The file has not arrived in storage yet."), code=Code.UPLOAD_MISSING) from exc
    try:
        resized = cover_resize(data=original)
    except UploadRefusedError:
        media_delete(upload=upload)  # an unreadable file gives its bytes back at once
        raise
    key = (f"{storage.tenant_prefix(schema_name=connection.schema_name)}media/cover/{uuid.uuid4().hex}/"
           "cover.jpg")
    storage.object_put(key=key, body=resized, content_type="image/jpeg")
    old_key = upload.key
    with transaction.atomic():
        locked = MediaUpload.objects.select_for_update().get(pk=upload.pk)
        delta = len(resized) - (locked.size or 0)
        locked.key, locked.content_type, locked.size = key, "image/jpeg", len(resized)
        locked.filename = (locked.filename.rsplit(".", 1)[0] + ".jpg")[:200]
        locked.save(update_fields=["key", "content_type", "size", "filename"])
        if delta:
            storage.storage_usage_add(delta_bytes=delta)
        course = Course.objects.select_for_update().get(pk=course.pk)
        previous = course.cover
        course.cover = locked
        course.save(update_fields=["cover", "updated_at"])
        if previous is not None:
            media_delete(upload=previous)
        transaction.on_commit(lambda: _object_delete_quietly(key=old_key))
    return course


def course_cover_remove(*, course: Course, actor: User) -> Course:
    if not actor.is_course_staff:
        raise ForbiddenError(_("Only instructors and administrators can do this."))
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        previous = course.cover
        if previous is not None:
            course.cover = None
            course.save(update_fields=["cover", "updated_at"])
            media_delete(upload=previous)
    return course


def _object_delete_quietly(*, key: str) -> None:
    try:
        storage.object_delete(key=key)
    except Exception:  # the reconciliation counts an orphan; the cover is in place
        logger.exception("could not delete the original cover %s", key)


def cover_url(*, course: Course) -> str | None:
    """A short-lived URL of the course's cover (no query when `cover` was selected with the course)."""
    if course.cover_id is None or course.cover is None:
        return None
    return storage.presigned_get_url(key=course.cover.key, expires_in=3600)
