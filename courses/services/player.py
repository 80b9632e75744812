"""The course player (issue 14 item 3): captions of video lessons (WebVTT, one per language), where each
learner is in a video (resumed there) and completion once 90 % of it was watched."""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError, ForbiddenError
from mooc_platform.i18n import LANGUAGE_CODES

from ..errors import Code, StorageQuotaExceededError, UploadRefusedError
from ..models import Caption, Certificate, Lesson, MediaUpload, VideoProgress
from .branding import tenant_limits
from .learning import _completion_record, enrollment_for
from .media import media_delete

CAPTION_MAX_BYTES = 1024 * 1024
WATCHED_TO_COMPLETE = 0.9
LONGEST_VIDEO_SECONDS = 24 * 3600


@transaction.atomic
def caption_upload(*, lesson: Lesson, language: str, content: bytes, actor: User) -> Caption:
    """Store a WebVTT file as the captions of `lesson` in `language` (replacing the previous ones)."""
    if not actor.is_course_staff:
        raise ForbiddenError(_("Only instructors and administrators add captions."))
    if lesson.kind != Lesson.Kind.VIDEO:
        raise ApplicationError(_("Captions belong to video lessons."), code=Code.VALIDATION_ERROR)
    if language not in LANGUAGE_CODES:
        raise ApplicationError(_("Choose the captions' language."), code=Code.VALIDATION_ERROR,
                               details={"language": ["Unknown language."]})
    if not content or len(content) > CAPTION_MAX_BYTES:
        raise UploadRefusedError(_("A captions file weighs between 1 byte and 1 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefusedError(_("The captions file must be UTF-8 text.")) from exc
    if not text.startswith("WEBVTT") or "-->" not in text or "\x00" in text:
        raise UploadRefusedError(_("This is not a WebVTT captions file (it starts with WEBVTT and has cues)."))
    limits = tenant_limits(for_update=True)
    if limits.storage_used_bytes + len(content) > limits.storage_quota_bytes:
        raise StorageQuotaExceededError(_("The organisation's storage quota is used up: delete content first."))
    old = Caption.objects.filter(lesson=lesson, language=language).select_related("upload").first()
    if old is not None:
        upload = old.upload
        old.delete()
        media_delete(upload=upload)
    key = (f"{storage.tenant_prefix(schema_name=connection.schema_name)}media/caption/{uuid.uuid4().hex}/"
           f"{lesson.pk}-{language}.vtt")
    storage.object_put(key=key, body=text.encode("utf-8"), content_type="text/vtt")
    size = len(text.encode("utf-8"))
    upload = MediaUpload.objects.create(key=key, purpose=MediaUpload.Purpose.CAPTION, filename=f"{language}.vtt",
                                        content_type="text/vtt", declared_size=size, size=size,
                                        confirmed_at=timezone.now(), created_by=actor)
    storage.storage_usage_add(delta_bytes=size)
    return Caption.objects.create(lesson=lesson, language=language, upload=upload)


@transaction.atomic
def caption_delete(*, caption: Caption, actor: User) -> None:
    if not actor.is_course_staff:
        raise ForbiddenError(_("Only instructors and administrators delete captions."))
    upload = caption.upload
    caption.delete()
    media_delete(upload=upload)


def _seconds(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not 0 <= number <= LONGEST_VIDEO_SECONDS:
        raise ApplicationError(_("The playback position is not valid."), code=Code.VALIDATION_ERROR,
                               details={name: [f"Give a number of seconds between 0 and {LONGEST_VIDEO_SECONDS}."]})
    return number


MAX_SEGMENTS = 500


def _segments(value: object, duration: float) -> list[tuple[float, float]]:
    if not isinstance(value, list) or len(value) > MAX_SEGMENTS:
        raise ApplicationError(_("The played segments are not valid."), code=Code.VALIDATION_ERROR,
                               details={"segments": [f"Give at most {MAX_SEGMENTS} [start, end] pairs."]})
    segments = []
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ApplicationError(_("The played segments are not valid."), code=Code.VALIDATION_ERROR,
                                   details={"segments": ["Each segment is [start, end] in seconds."]})
        start, end = _seconds("segments", pair[0]), _seconds("segments", pair[1])
        if duration:
            start, end = min(start, duration), min(end, duration)
        if end > start:
            segments.append((start, end))
    return segments


def _union(segments: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(segments):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@transaction.atomic
def video_progress_record(*, lesson: Lesson, user: User, position: object, duration: object,
                          segments: object = (), now: datetime | None = None
                          ) -> tuple[VideoProgress, Certificate | None, bool]:
    """Keep where the learner is and which parts they played (`segments`, merged with those sent before, so
    watching a part twice or jumping ahead counts nothing more); once the parts played cover 90 % of the
    duration, the lesson is completed. Returns (progress, the certificate this earned, completed now)."""
    if lesson.kind != Lesson.Kind.VIDEO:
        raise ApplicationError(_("Only video lessons record a playback position."), code=Code.VALIDATION_ERROR)
    position_s, duration_s = _seconds("position", position), _seconds("duration", duration)
    played = _segments(list(segments) if isinstance(segments, tuple) else segments, duration_s)
    enrollment = enrollment_for(course=lesson.module.course, user=user)
    progress, _created = VideoProgress.objects.select_for_update().get_or_create(enrollment=enrollment, lesson=lesson)
    merged = _union([tuple(pair) for pair in progress.watched_segments] + played)  # type: ignore[misc]
    progress.watched_segments = [[round(a, 3), round(b, 3)] for a, b in merged]
    progress.watched_seconds = sum(b - a for a, b in merged)
    progress.duration_seconds = duration_s or progress.duration_seconds
    progress.position_seconds = min(position_s, progress.duration_seconds) if progress.duration_seconds \
        else position_s
    progress.save()
    completed = bool(progress.duration_seconds) and \
        progress.watched_seconds >= WATCHED_TO_COMPLETE * progress.duration_seconds
    certificate = _completion_record(enrollment=enrollment, lesson=lesson, now=now or timezone.now()) \
        if completed else None
    return progress, certificate, completed

def caption_text(*, caption: Caption) -> str:
    """The WebVTT text of `caption` ("" when its file is missing from storage: the video plays without it)."""
    try:
        return storage.object_get(key=caption.upload.key).decode("utf-8", errors="replace")
    except Exception:
        return ""
