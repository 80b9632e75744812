"""Course content out as IMS Common Cartridge 1.3 (issue 17 item 5): requested by course staff, built by a Celery
task (`integrations.cartridge` writes the zip), stored on S3 under the tenant's prefix, downloaded through a
short-lived signed URL. The last CARTRIDGE_KEEP ready cartridges of a course are kept; older ones are deleted."""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.errors import ConflictError

from ..cartridge import CourseData, LessonData, MediaFile, ModuleData, cartridge_write, safe_filename
from ..models import CartridgeExport
from .xapi import tenant_home_page

logger = logging.getLogger(__name__)

CARTRIDGE_KEEP = 3
CONTENT_TYPE = "application/vnd.ims.imsccv1p3"


def cartridge_filename(*, export: CartridgeExport) -> str:
    return f"{safe_filename(export.course.slug)}-{export.created_at:%Y%m%d-%H%M}.imscc"


def _queue(*, schema_name: str, export_id: int) -> None:
    from ..tasks import cartridge_export_build

    try:
        cartridge_export_build.apply_async(kwargs={"schema_name": schema_name, "export_id": export_id})
    except Exception:  # broker down: the export stays queued, shown as such; a new request queues it again
        logger.warning("cartridge export %s of %s not queued", export_id, schema_name, exc_info=True)


@transaction.atomic
def cartridge_export_request(*, course: Any, actor: User) -> CartridgeExport:
    """Queue a cartridge of `course` as it is now. One at a time per course: while one is queued or building,
    asking again returns it (and queues it again, in case the broker lost it)."""
    from courses.models import Course

    Course.objects.select_for_update().filter(pk=course.pk).first()  # concurrent requests queue here
    running = CartridgeExport.objects.filter(course=course, status__in=[CartridgeExport.Status.QUEUED,
                                                                        CartridgeExport.Status.BUILDING]).first()
    export = running or CartridgeExport.objects.create(course=course, requested_by=actor)
    if running is None:
        audit_record(action="course.cartridge_requested", actor=actor, schema_name=connection.schema_name,
                     target=course, after={"export": export.pk})
    schema_name, export_id = connection.schema_name, export.pk
    transaction.on_commit(lambda: _queue(schema_name=schema_name, export_id=export_id))
    return export


def _course_data(*, course: Any, schema_name: str) -> CourseData:
    from courses.models import Choice, Lesson, Question

    home = tenant_home_page(schema_name=schema_name)
    lessons = (Lesson.objects.select_related("media")
               .prefetch_related(Prefetch("questions", queryset=Question.objects.prefetch_related(
                   Prefetch("choices", queryset=Choice.objects.order_by("id"))).order_by("position", "id"))))
    modules = []
    for module in course.modules.order_by("position", "id").prefetch_related(
            Prefetch("lessons", queryset=lessons.order_by("position", "id"))):
        items = []
        for lesson in module.lessons.all():
            media = None
            if lesson.media is not None and lesson.media.confirmed_at is not None:
                key = lesson.media.key
                media = MediaFile(filename=lesson.media.filename, size=lesson.media.size or 0,
                                  content_type=lesson.media.content_type,
                                  open=lambda key=key: storage.object_stream(key=key))
            questions = [{
                "id": q.pk, "kind": q.kind, "text": q.text, "explanation": q.explanation,
                "accepted_answers": [str(a) for a in q.accepted_answers or []],
                "numeric_answer": q.numeric_answer_text,
                "choices": [{"id": c.pk, "text": c.text, "is_correct": c.is_correct, "match_text": c.match_text}
                            for c in q.choices.all()],
            } for q in lesson.questions.all()] if lesson.kind == Lesson.Kind.QUIZ else []
            items.append(LessonData(id=lesson.pk, title=lesson.title, kind=lesson.kind, body_html=lesson.body_html,
                                    url=f"{home}/courses/{course.slug}/lessons/{lesson.pk}/", media=media,
                                    max_attempts=lesson.max_attempts, questions=questions))
        modules.append(ModuleData(id=module.pk, title=module.title, lessons=items))
    return CourseData(id=course.pk, title=course.title, summary=course.summary, language=course.language or "en",
                      url=f"{home}/courses/{course.slug}/", modules=modules)


def _progress_save(export_id: int, done: int, total: int) -> None:
    # Its own statement, outside the build's work: the page and the API see the progress as it goes.
    CartridgeExport.objects.filter(pk=export_id).update(progress=min(99, round(100 * done / max(total, 1))))


def cartridge_export_build(*, export_id: int, now: datetime | None = None) -> CartridgeExport | None:
    """Build the cartridge of a queued export, upload it and mark it ready (or failed, with the reason).
    Returns the export, or None when there was nothing to do (unknown, or already built or building)."""
    schema_name = connection.schema_name
    with transaction.atomic():
        export = (CartridgeExport.objects.select_for_update(skip_locked=True).select_related("course")
                  .filter(pk=export_id, status=CartridgeExport.Status.QUEUED).first())
        if export is None:
            return None
        export.status, export.progress = CartridgeExport.Status.BUILDING, 0
        export.save(update_fields=["status", "progress"])
    key = f"{storage.tenant_prefix(schema_name=schema_name)}cartridges/{export.course_id}/{export.pk}.imscc"
    try:
        data = _course_data(course=export.course, schema_name=schema_name)
        with tempfile.TemporaryFile() as archive:
            cartridge_write(course=data, out=archive, embed_max_bytes=settings.CARTRIDGE_EMBED_MAX_BYTES,
                            progress=lambda done, total: _progress_save(export.pk, done, total))
            size = archive.tell()
            archive.seek(0)
            storage.object_upload(key=key, fileobj=archive, content_type=CONTENT_TYPE)
    except Exception as error:
        logger.exception("cartridge export %s of %s failed", export.pk, schema_name)
        export.status, export.error = CartridgeExport.Status.FAILED, str(error)[:300] or type(error).__name__
        export.finished_at = now or timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        return export
    export.status, export.progress, export.key, export.size = CartridgeExport.Status.READY, 100, key, size
    export.finished_at = now or timezone.now()
    export.save(update_fields=["status", "progress", "key", "size", "finished_at"])
    _older_delete(export=export)
    return export


def _older_delete(*, export: CartridgeExport) -> None:
    ready = CartridgeExport.objects.filter(course_id=export.course_id, status=CartridgeExport.Status.READY)
    for old in ready.order_by("-created_at", "-id")[CARTRIDGE_KEEP:]:
        try:
            storage.object_delete(key=old.key)
        except Exception:
            logger.warning("cartridge %s: object %s not deleted", old.pk, old.key, exc_info=True)
        old.delete()


def cartridge_download_url(*, export: CartridgeExport) -> str:
    """A signed URL of the cartridge (five minutes), downloaded under a readable name."""
    if export.status != CartridgeExport.Status.READY:
        raise ConflictError(_("This export is not ready yet."))
    return storage.presigned_get_url(key=export.key, filename=cartridge_filename(export=export))

