"""A playable "video" for the player tests: a WAV file (Chromium plays audio in a <video> element, and Python
writes WAV without any tool), put on S3 as the media of a video lesson, with its WebVTT captions."""

from __future__ import annotations

import io
import uuid
import wave

from django.db import connection
from django.utils import timezone

from courses import services
from courses.models import Course, Lesson, MediaUpload
from mooc_platform import storage
from mooc_platform.accounts.models import User

VTT_EN = """WEBVTT

00:00:00.000 --> 00:00:10.000
Light travels in straight lines.

00:00:10.000 --> 00:00:20.000
A lens <b>bends</b> it.

00:00:20.000 --> 00:00:30.000
That is how we focus.
"""
VTT_FR = VTT_EN.replace("Light travels in straight lines.", "La lumière va en ligne droite.").replace(
    "A lens <b>bends</b> it.", "Une lentille la dévie.").replace("That is how we focus.", "C’est ainsi qu’on focalise.")


def wav_bytes(seconds: int = 30) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(bytes([128]) * 8000 * seconds)
    return buffer.getvalue()


def video_lesson(*, course: Course, author: User, seconds: int = 30, captions: bool = True) -> Lesson:
    """A video lesson at the end of the course's first module, its media a WAV of `seconds` on S3."""
    module = course.modules.order_by("position", "id").first()
    media = stored_media(purpose=MediaUpload.Purpose.VIDEO, filename="lenses.wav", content_type="audio/wav",
                         body=wav_bytes(seconds), author=author)
    lesson = services.lesson_create(module=module, title="Lenses", kind=Lesson.Kind.VIDEO, media_upload_id=media.pk)
    if captions:
        services.caption_upload(lesson=lesson, language="en", content=VTT_EN.encode(), actor=author)
        services.caption_upload(lesson=lesson, language="fr", content=VTT_FR.encode(), actor=author)
    lesson.refresh_from_db()
    return lesson


def stored_media(*, purpose: str, filename: str, content_type: str, body: bytes, author: User | None) -> MediaUpload:
    """An object already on S3 and its confirmed upload row (what the browser's upload leaves behind)."""
    key = f"{storage.tenant_prefix(schema_name=connection.schema_name)}media/{purpose}/{uuid.uuid4().hex}/{filename}"
    storage.object_put(key=key, body=body, content_type=content_type)
    return MediaUpload.objects.create(key=key, purpose=purpose, filename=filename, content_type=content_type,
                                      declared_size=len(body), size=len(body), confirmed_at=timezone.now(),
                                      created_by=author)
