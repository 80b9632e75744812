"""Courses, modules, lessons and quiz questions as instructors write them."""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import markdown
import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from maintenance.selectors import maintenance_windows_overlapping
from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError
from mooc_platform.input_guards import date_in_bounds

from ..errors import (
    Code,
    CourseNotReadyError,
    QuizDeadlineInMaintenanceError,
    StorageQuotaExceededError,
    UploadRefusedError,
)
from ..models import Caption, Category, Choice, Course, Enrollment, Lesson, MediaUpload, Module, Question, ScormPackage
from .branding import tenant_limits
from .media import media_delete

logger = logging.getLogger(__name__)

MARKDOWN_TAGS = {"p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a",
                 "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "img"}


def markdown_render(text: str) -> str:
    """Markdown → HTML, sanitised with nh3 (no script, no event handler, no javascript: URL)."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return nh3.clean(html, tags=MARKDOWN_TAGS,
                     attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                                 "td": {"align"}},
                     url_schemes={"http", "https", "mailto"})


COURSE_FIELDS = ("title", "slug", "summary", "language", "licence", "pass_mark", "visibility", "duration_minutes",
                 "category", "starts_on", "ends_on")


def _course_fields_set(course: Course, fields: dict[str, Any]) -> None:
    """Copy the editable fields onto `course`; `category` is a Category id (None or "" for none) and
    `duration_minutes` a whole number of minutes (None or "" for unknown)."""
    for name, value in fields.items():
        if name not in COURSE_FIELDS:
            continue
        if name == "category":
            if value in (None, ""):
                course.category = None
                continue
            category = Category.objects.filter(pk=value).first() if str(value).isdigit() and len(str(value)) < 18 \
                else None
            if category is None:
                raise ApplicationError(_("The course is not valid."), code=Code.VALIDATION_ERROR,
                                       details={"category": ["Unknown category."]})
            course.category = category
        elif name == "duration_minutes":
            if value in (None, ""):
                course.duration_minutes = None
                continue
            try:
                minutes = int(value)
            except (TypeError, ValueError):
                minutes = -1
            if not 0 < minutes <= 100_000:
                raise ApplicationError(_("The course is not valid."), code=Code.VALIDATION_ERROR,
                                       details={"duration_minutes": ["Give a number of minutes (1 to 100000)."]})
            course.duration_minutes = minutes
        elif name in ("starts_on", "ends_on"):
            setattr(course, name, _course_date(name=name, value=value))
        else:
            setattr(course, name, value)


def _course_date(*, name: str, value: Any) -> date | None:
    """A start or end date: a date, an ISO `YYYY-MM-DD` string, or None / "" for none."""
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed: date | None = value
    else:
        try:
            parsed = parse_date(str(value))
        except ValueError:
            parsed = None
    if parsed is None or not date_in_bounds(parsed):
        raise ApplicationError(_("The course is not valid."), code=Code.VALIDATION_ERROR,
                               details={name: ["Give a date as YYYY-MM-DD."]})
    return parsed


def _course_validate(course: Course) -> None:
    if course.starts_on and course.ends_on and course.ends_on < course.starts_on:
        raise ApplicationError(_("The course is not valid."), code=Code.VALIDATION_ERROR,
                               details={"ends_on": ["The course cannot end before it starts."]})
    try:
        course.full_clean(exclude=["created_by", "category", "cover"])
    except ValidationError as exc:
        raise ApplicationError(_("The course is not valid."), code=Code.VALIDATION_ERROR,
                               details=exc.message_dict) from exc


@transaction.atomic
def course_create(*, actor: User, title: str, slug: str, **fields: Any) -> Course:
    course = Course(title=title, slug=slug, created_by=actor)
    _course_fields_set(course, fields)
    _course_validate(course)
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError as exc:  # the same slug created at the same time by another request
        raise ConflictError(_("A course with this slug already exists."), code=Code.COURSE_SLUG_TAKEN,
                            details={"slug": [_("A course with this slug already exists.")]}) from exc
    return course


@transaction.atomic
def course_update(*, course: Course, actor: User, **fields: Any) -> Course:
    _course_fields_set(course, fields)
    _course_validate(course)
    course.save()
    return course


@transaction.atomic
def course_publish(*, course: Course, actor: User) -> Course:
    if not Lesson.objects.filter(module__course=course).exists():
        raise CourseNotReadyError(_("Add at least one lesson before publishing the course."))
    course.status = Course.Status.PUBLISHED
    course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def course_unpublish(*, course: Course, actor: User) -> Course:
    course.status = Course.Status.DRAFT
    course.save(update_fields=["status", "updated_at"])
    return course


def _tenant_id() -> int | None:
    """The id of the tenant whose schema is current, read by value (courses never import tenants)."""
    row = import_string(settings.TENANT_ROW_READER)(schema_name=connection.schema_name, fields=("id",))
    return row["id"]


def course_delete(*, course: Course, actor: User | None, confirm: bool = False, ip_address: str | None = None) -> None:
    """Delete a course, its modules, lessons and media in one transaction, the bytes given back to the quota in
    it too (SPEC R20); the S3 objects go once it commits. A failure leaves the whole course, never half of it; an
    S3 failure after the commit leaves an orphan object that `storage_usage_reconcile` counts.

    Only the course's owner or an administrator deletes a course (`actor` None: the system); one with learners
    enrolled is deleted only when `confirm` is given, and every deletion is audited (issue 11 item 9)."""
    if actor is not None and not (actor.is_tenant_admin or (course.created_by_id is not None
                                                            and course.created_by_id == actor.pk)):
        raise ForbiddenError(_("Only the course's owner or an administrator can delete a course."))
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        learners = Enrollment.objects.filter(course=locked).count()
        if learners and not confirm and actor is not None:
            raise ConflictError(_("%(learners)s learner(s) are enrolled in this course: confirm to delete it with "
                                  "their progress, attempts and certificates.") % {"learners": learners},
                                code=Code.CONFIRMATION_REQUIRED,
                                details={"learners": learners})
        audit_record(action="course.deleted", actor=actor, tenant=_tenant_id(), target=locked,
                     before={"id": locked.pk, "title": locked.title, "slug": locked.slug, "status": locked.status,
                             "learners": learners}, after={}, ip_address=ip_address)
        media = list(MediaUpload.objects.filter(Q(lesson__module__course=locked) | Q(course_cover=locked)
                                                | Q(course=locked) | Q(caption__lesson__module__course=locked))
                     .distinct())
        freed = sum(m.size or 0 for m in media if m.confirmed_at is not None)
        objects = [(m.key, m.multipart_id) for m in media]
        locked.delete()
        MediaUpload.objects.filter(pk__in=[m.pk for m in media]).delete()
        if freed:
            storage.storage_usage_add(delta_bytes=-freed)
        transaction.on_commit(lambda: _storage_objects_delete(objects=objects))


def _storage_objects_delete(*, objects: list[tuple[str, str]]) -> None:
    """Delete S3 objects (and abort unfinished multipart uploads) after a commit; one failure does not stop the
    others (the reconciliation counts what stays)."""
    for key, multipart_id in objects:
        try:
            if multipart_id:
                with contextlib.suppress(Exception):  # already completed or aborted
                    storage.multipart_abort(key=key, upload_id=multipart_id)
            storage.object_delete(key=key)
        except Exception:  # logged, the next object goes on
            logger.exception("could not delete S3 object %s", key)


@transaction.atomic
def module_create(*, course: Course, title: str) -> Module:
    if not title.strip():
        raise ApplicationError(_("A module needs a title."), code=Code.VALIDATION_ERROR)
    position = (Module.objects.filter(course=course).aggregate(m=Max("position"))["m"] or 0) + 1
    return Module.objects.create(course=course, title=title.strip(), position=position)


def _swap_with_neighbour(qs: Any, item: Any, *, up: bool) -> None:
    """Swap `item`'s position with the previous (up) or next sibling in `qs` (ordered by position, id)."""
    siblings = list(qs.select_for_update().order_by("position", "id"))
    for index, sibling in enumerate(siblings):  # renumber first: positions may have gaps or ties
        sibling.position = index + 1
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = siblings[other].position, siblings[index].position
    type(item).objects.bulk_update(siblings, ["position"])


@transaction.atomic
def module_move(*, module: Module, up: bool) -> None:
    _swap_with_neighbour(Module.objects.filter(course_id=module.course_id), module, up=up)


@transaction.atomic
def lesson_move(*, lesson: Lesson, up: bool) -> None:
    _swap_with_neighbour(Lesson.objects.filter(module_id=lesson.module_id), lesson, up=up)


def quiz_deadline_check(*, deadline: datetime | None) -> None:
    """A quiz deadline must not fall inside a maintenance window of this tenant (GCS art. 8).

    The windows are the maintenance app's (SPEC §2: courses → maintenance, selectors only)."""
    if deadline is None:
        return
    windows = maintenance_windows_overlapping(schema_name=connection.schema_name, start=deadline, end=deadline)
    if windows:
        raise QuizDeadlineInMaintenanceError(
            _("This deadline falls inside a planned maintenance window: choose another time."))


def _lesson_media_attach(*, lesson: Lesson, upload_id: int | None) -> None:
    if upload_id is None:
        return
    upload = MediaUpload.objects.filter(pk=upload_id, confirmed_at__isnull=False).first()
    if upload is None:
        raise UploadRefusedError(_("This upload does not exist or was not confirmed."))
    if upload.purpose != lesson.kind:
        raise UploadRefusedError(_("A %(kind)s lesson needs a %(kind)s upload.") % {"kind": lesson.kind})
    if hasattr(upload, "lesson") and upload.lesson.pk != lesson.pk:
        raise UploadRefusedError(_("This upload already belongs to another lesson."))
    old = lesson.media
    lesson.media = upload
    if old is not None and old.pk != upload.pk:
        lesson.save()
        media_delete(upload=old)


@transaction.atomic
def lesson_create(*, module: Module, title: str, kind: str, body_markdown: str = "",
                  media_upload_id: int | None = None, max_attempts: int = 3,
                  time_limit_minutes: int | None = None, deadline: datetime | None = None,
                  draw_count: int | None = None) -> Lesson:
    if kind not in Lesson.Kind.values:
        raise ApplicationError(_("Unknown lesson kind %(kind)s.") % {"kind": repr(kind)}, code=Code.VALIDATION_ERROR)
    if not title.strip():
        raise ApplicationError(_("A lesson needs a title."), code=Code.VALIDATION_ERROR)
    quiz_deadline_check(deadline=deadline)
    position = (Lesson.objects.filter(module=module).aggregate(m=Max("position"))["m"] or 0) + 1
    lesson = Lesson(module=module, title=title.strip(), kind=kind, position=position, body_markdown=body_markdown,
                    body_html=markdown_render(body_markdown), max_attempts=max_attempts,
                    time_limit_minutes=time_limit_minutes or None, deadline=deadline, draw_count=draw_count or None)
    if kind in (Lesson.Kind.VIDEO, Lesson.Kind.FILE) and media_upload_id is None:
        raise UploadRefusedError(_("A %(kind)s lesson needs an uploaded %(kind)s.") % {"kind": kind})
    _lesson_media_attach(lesson=lesson, upload_id=media_upload_id)
    lesson.save()
    return lesson


@transaction.atomic
def lesson_update(*, lesson: Lesson, **fields: Any) -> Lesson:
    if "deadline" in fields:
        quiz_deadline_check(deadline=fields["deadline"])
    for name in ("title", "body_markdown", "max_attempts", "time_limit_minutes", "deadline", "position",
                 "review_allowed", "draw_count"):
        if name in fields:
            setattr(lesson, name, fields[name])
    lesson.body_html = markdown_render(lesson.body_markdown)
    if "media_upload_id" in fields:
        _lesson_media_attach(lesson=lesson, upload_id=fields["media_upload_id"])
    lesson.save()
    return lesson


# --- Authoring (issue 14 item 5): rename, reorder, the bin, duplicate, the editor's preview ------------------

BIN_DAYS = 30  # a module or lesson deleted stays restorable this long, then `bin_purge` deletes it for good
MARKDOWN_PREVIEW_MAX_CHARS = 200_000


def markdown_preview(*, text: str) -> str:
    """The editor's live preview: the Markdown rendered and sanitised exactly as the lesson will show it."""
    if len(text or "") > MARKDOWN_PREVIEW_MAX_CHARS:
        raise ApplicationError(_("The text is too long to preview (%(max)s characters at most).")
                               % {"max": MARKDOWN_PREVIEW_MAX_CHARS}, code=Code.VALIDATION_ERROR)
    return markdown_render(text)


@transaction.atomic
def module_rename(*, module: Module, title: str) -> Module:
    if not title.strip():
        raise ApplicationError(_("A module needs a title."), code=Code.VALIDATION_ERROR)
    module.title = title.strip()[:200]
    module.save(update_fields=["title"])
    return module


def _order_set(*, items: list[Any], ids: list[int]) -> None:
    """Give `items` (every live sibling) the positions of `ids`, which must name each of them exactly once."""
    by_id = {item.pk: item for item in items}
    if len(ids) != len(set(ids)) or set(ids) != set(by_id):
        raise ApplicationError(_("The new order must list every item exactly once."), code=Code.VALIDATION_ERROR,
                               details={"ids": sorted(by_id)})
    for position, pk in enumerate(ids, start=1):
        by_id[pk].position = position
    if items:
        type(items[0]).all_objects.bulk_update(items, ["position"])


@transaction.atomic
def module_order_set(*, course: Course, module_ids: list[int]) -> None:
    """Reorder a course's modules (drag and drop): `module_ids` in their new order."""
    Course.objects.select_for_update().filter(pk=course.pk).first()  # one reorder of the course at a time
    _order_set(items=list(Module.objects.filter(course=course)), ids=module_ids)


@transaction.atomic
def lesson_order_set(*, module: Module, lesson_ids: list[int]) -> None:
    """Reorder a module's lessons (drag and drop): `lesson_ids` in their new order."""
    Module.all_objects.select_for_update().filter(pk=module.pk).first()
    _order_set(items=list(Lesson.objects.filter(module=module)), ids=lesson_ids)


@transaction.atomic
def module_delete(*, module: Module) -> Module:
    """Put a module (and so its lessons) in the bin: learners and instructors no longer see it; `module_restore`
    brings it back for BIN_DAYS days, then `bin_purge` deletes it with its media."""
    module.deleted_at = timezone.now()
    module.save(update_fields=["deleted_at"])
    return module


@transaction.atomic
def module_restore(*, module: Module) -> Module:
    module.deleted_at = None
    module.save(update_fields=["deleted_at"])
    return module


@transaction.atomic
def lesson_delete(*, lesson: Lesson) -> Lesson:
    """Put a lesson in the bin (its media stays on S3 until the purge, so that an undo gets everything back)."""
    lesson.deleted_at = timezone.now()
    lesson.save(update_fields=["deleted_at"])
    return lesson


@transaction.atomic
def lesson_restore(*, lesson: Lesson) -> Lesson:
    if Module.all_objects.filter(pk=lesson.module_id, deleted_at__isnull=False).exists():
        raise ApplicationError(_("Its module is in the bin: restore the module first."), code=Code.VALIDATION_ERROR)
    lesson.deleted_at = None
    lesson.save(update_fields=["deleted_at"])
    return lesson


def bin_of(*, course: Course) -> dict[str, list[Any]]:
    """What of `course` is in the bin, most recent first: modules, and lessons of modules still in place."""
    return {"modules": list(Module.all_objects.filter(course=course, deleted_at__isnull=False)
                            .order_by("-deleted_at", "-id")),
            "lessons": list(Lesson.all_objects.filter(module__course=course, module__deleted_at__isnull=True,
                                                      deleted_at__isnull=False)
                            .select_related("module").order_by("-deleted_at", "-id"))}


def _lesson_media(lessons: Any) -> list[MediaUpload]:
    """The media of lessons: their video or file, and their captions."""
    return list(MediaUpload.objects.filter(Q(lesson__in=lessons) | Q(caption__lesson__in=lessons)).distinct())


def bin_purge(*, now: datetime | None = None) -> int:
    """Delete for good what has been in the bin for BIN_DAYS days, with its media (S3 objects and quota, through
    `media_delete`). Returns how many modules and lessons were purged. The daily task runs it in every tenant."""
    cutoff = (now or timezone.now()) - timedelta(days=BIN_DAYS)
    purged = 0
    for module in Module.all_objects.filter(deleted_at__lte=cutoff).order_by("id"):
        with transaction.atomic():
            lessons = Lesson.all_objects.filter(module=module)
            media = _lesson_media(lessons)
            Caption.objects.filter(lesson__in=lessons).delete()
            purged += 1 + lessons.count()
            module.delete()
        for upload in media:
            media_delete(upload=upload)
    for lesson in Lesson.all_objects.filter(deleted_at__lte=cutoff).order_by("id"):
        with transaction.atomic():
            media = _lesson_media([lesson])
            Caption.objects.filter(lesson=lesson).delete()
            lesson.delete()
            purged += 1
        for upload in media:
            media_delete(upload=upload)
    return purged


IMAGE_URL = re.compile(r"/courses/(?P<slug>[-a-zA-Z0-9_]+)/images/(?P<pk>[0-9]{1,18})/")


def _media_copy(*, upload: MediaUpload, actor: User, course: Course | None, copied: list[str]) -> MediaUpload:
    """A copy of a confirmed upload under a new key (S3 server-side copy), counted in the quota."""
    key = upload.key.rsplit("/", 2)
    new_key = f"{key[0]}/{uuid.uuid4().hex}/{key[-1]}" if len(key) == 3 else f"{upload.key}-{uuid.uuid4().hex}"
    storage.object_copy(source_key=upload.key, key=new_key)
    copied.append(new_key)
    return MediaUpload.objects.create(key=new_key, purpose=upload.purpose, filename=upload.filename,
                                      content_type=upload.content_type, declared_size=upload.declared_size,
                                      size=upload.size, confirmed_at=timezone.now(), created_by=actor,
                                      course=course)


def _ready_package(*, lesson: Lesson) -> ScormPackage | None:
    if lesson.kind != Lesson.Kind.SCORM:
        return None
    return lesson.scorm_packages.filter(status=ScormPackage.Status.READY).order_by("-created_at", "-id").first()


def _package_copy(*, package: ScormPackage, lesson: Lesson, content: MediaUpload, actor: User) -> ScormPackage:
    """The copied lesson's package: the same manifest facts over the copied folder (no zip, no attempt)."""
    return ScormPackage.objects.create(
        lesson=lesson, status=ScormPackage.Status.READY, progress=100, content=content, filename=package.filename,
        version=package.version, title=package.title, launch_path=package.launch_path,
        launch_query=package.launch_query, file_count=package.file_count, size=package.size, created_by=actor)


def course_duplicate(*, course: Course, actor: User, title: str, slug: str) -> Course:
    """A draft copy of `course` (not its bin): settings, modules, lessons, quiz questions and choices. Media are
    copied in S3 server-side (each lesson owns its media, deleted with it), counted in the quota; images in the
    texts point to the copies. No learner, attempt, discussion or certificate is copied."""
    if not actor.is_course_staff:
        raise ForbiddenError(_("Only instructors and administrators can do this."))
    copied: list[str] = []
    try:
        with transaction.atomic():
            fields = {name: getattr(course, name) for name in COURSE_FIELDS if name not in ("title", "slug")}
            fields["category"] = course.category_id
            new = course_create(actor=actor, title=title, slug=slug, **fields)
            sources = list(MediaUpload.objects.filter(
                Q(lesson__module__course=course, lesson__deleted_at__isnull=True,
                  lesson__module__deleted_at__isnull=True)
                | Q(caption__lesson__module__course=course, caption__lesson__deleted_at__isnull=True,
                    caption__lesson__module__deleted_at__isnull=True)
                | Q(course=course) | Q(course_cover=course), confirmed_at__isnull=False).distinct())
            total = sum(m.size or 0 for m in sources)
            limits = tenant_limits(for_update=True)
            if total and limits.storage_used_bytes + total > limits.storage_quota_bytes:
                raise StorageQuotaExceededError(
                    _("The organisation's storage quota is used up: delete content or raise the quota first."),
                    details={"quota_bytes": limits.storage_quota_bytes, "used_bytes": limits.storage_used_bytes,
                             "requested_bytes": total})
            copies = {m.pk: _media_copy(upload=m, actor=actor, course=new if m.course_id else None, copied=copied)
                      for m in sources}
            if course.cover_id in copies:
                new.cover = copies[course.cover_id]
                new.save(update_fields=["cover"])

            def texts(markdown_text: str) -> str:
                def swap(match: re.Match[str]) -> str:
                    copy = copies.get(int(match["pk"])) if match["slug"] == course.slug else None
                    return f"/courses/{new.slug}/images/{copy.pk}/" if copy is not None else match[0]
                return IMAGE_URL.sub(swap, markdown_text)

            for module in Module.objects.filter(course=course).order_by("position", "id"):
                new_module = Module.objects.create(course=new, title=module.title, position=module.position)
                for lesson in Lesson.objects.filter(module=module).order_by("position", "id"):
                    body = texts(lesson.body_markdown)
                    new_lesson = Lesson.objects.create(
                        module=new_module, title=lesson.title, kind=lesson.kind, position=lesson.position,
                        body_markdown=body, body_html=markdown_render(body),
                        media=copies.get(lesson.media_id) if lesson.media_id else None,
                        max_attempts=lesson.max_attempts, time_limit_minutes=lesson.time_limit_minutes,
                        deadline=lesson.deadline, review_allowed=lesson.review_allowed,
                        draw_count=lesson.draw_count)
                    package = _ready_package(lesson=lesson)
                    if package is not None and package.content_id in copies:
                        _package_copy(package=package, lesson=new_lesson, content=copies[package.content_id],
                                      actor=actor)
                    for caption in Caption.objects.filter(lesson=lesson):
                        if caption.upload_id in copies:
                            Caption.objects.create(lesson=new_lesson, language=caption.language,
                                                   upload=copies[caption.upload_id])
                    for question in Question.objects.filter(lesson=lesson).prefetch_related("choices"):
                        new_question = Question.objects.create(
                            lesson=new_lesson, text=question.text, kind=question.kind, position=question.position,
                            explanation=question.explanation, accepted_answers=question.accepted_answers,
                            numeric_answer=question.numeric_answer, numeric_tolerance=question.numeric_tolerance)
                        Choice.objects.bulk_create([
                            Choice(question=new_question, text=c.text, is_correct=c.is_correct,
                                   match_text=c.match_text, feedback=c.feedback) for c in question.choices.all()])
            if total:
                storage.storage_usage_add(delta_bytes=total)
            audit_record(action="course.duplicated", actor=actor, tenant=_tenant_id(), target=new,
                         before={"id": course.pk, "slug": course.slug}, after={"id": new.pk, "slug": new.slug})
    except BaseException:
        _storage_objects_delete(objects=[(key, "") for key in copied])
        raise
    return new


def course_image_for(*, course: Course, pk: int) -> MediaUpload | None:
    """An image of the course's texts, confirmed (None when it is not one)."""
    return MediaUpload.objects.filter(pk=pk, course=course, purpose=MediaUpload.Purpose.IMAGE,
                                      confirmed_at__isnull=False).first()
