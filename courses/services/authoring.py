"""Courses, modules, lessons and quiz questions as instructors write them."""

from __future__ import annotations

import contextlib
import logging
from datetime import date, datetime
from typing import Any

import markdown
import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils.dateparse import parse_date
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from maintenance.selectors import maintenance_windows_overlapping
from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError
from mooc_platform.input_guards import date_in_bounds

from ..errors import Code, CourseNotReadyError, QuizDeadlineInMaintenanceError, UploadRefusedError
from ..models import Category, Course, Enrollment, Lesson, MediaUpload, Module
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
        media = list(MediaUpload.objects.filter(Q(lesson__module__course=locked) | Q(course_cover=locked)).distinct())
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


def lesson_delete(*, lesson: Lesson) -> None:
    """Deleting a lesson deletes its S3 object and gives the bytes back to the quota (SPEC R20)."""
    media = lesson.media
    with transaction.atomic():
        lesson.delete()
    if media is not None:
        media_delete(upload=media)
