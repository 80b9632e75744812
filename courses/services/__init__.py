"""Writes of the tenant's learning platform (STYLE: `<entity>_<action>`, keyword-only arguments).

Everything here runs inside the tenant's schema. The platform is reached by value only: the
tenant's limits come from django-tenants' tenant model (`tenant_limits`), storage usage moves
through `mooc_platform.storage.storage_usage_add`, and nothing imports `tenants` or `invoicing`."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import logging
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import markdown
import nh3
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django_tenants.utils import get_tenant_model

from maintenance.selectors import maintenance_windows_overlapping
from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ForbiddenError, NotFoundError

from .errors import (
    CourseNotReadyError,
    EnrollmentRefusedError,
    InvitationInvalidError,
    NotEnrolledError,
    QuizClosedError,
    QuizDeadlineInMaintenanceError,
    SeatLimitReachedError,
    StorageQuotaExceededError,
    UploadRefusedError,
    UserExistsError,
)
from .models import (
    Branding,
    Certificate,
    Choice,
    Course,
    CourseInvitation,
    Enrollment,
    Lesson,
    LessonCompletion,
    MediaUpload,
    Module,
    Post,
    PostReport,
    Question,
    QuizAttempt,
    UserInvitation,
)

logger = logging.getLogger(__name__)

TENANT_ROLES = (User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR, User.Role.LEARNER)
STAFF_ROLES = (User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR)
INVITATION_VALIDITY = timedelta(days=14)
HUNDRED = Decimal("100")


def is_staff_member(user: User) -> bool:
    return user.role in STAFF_ROLES


# --- The tenant's limits, read by value ------------------------------------------------------------


@dataclass(frozen=True)
class TenantLimits:
    name: str
    language: str
    seat_limit: int
    storage_quota_bytes: int
    storage_used_bytes: int


def tenant_limits(*, for_update: bool = False) -> TenantLimits:
    """The current tenant's subscription limits and usage, read fresh from its row (the request's
    tenant object may come from the routing cache). `for_update` locks the row until the end of
    the transaction, which serialises seat and quota decisions of one organisation."""
    qs = get_tenant_model().objects.filter(schema_name=connection.schema_name)
    if for_update:
        qs = qs.select_for_update()
    row = qs.values("name", "language", "seat_limit", "storage_quota_bytes", "storage_used_bytes").get()
    return TenantLimits(**row)


# --- People (SPEC R2, R3) --------------------------------------------------------------------------


def seats_used() -> int:
    return User.objects.filter(is_active=True).exclude(role=User.Role.OPERATOR).count()


def _seat_check(*, extra: int = 1) -> None:
    limits = tenant_limits(for_update=True)
    used = seats_used()
    if used + extra > limits.seat_limit:
        raise SeatLimitReachedError(
            f"The subscription allows {limits.seat_limit} active users and {used} are active: "
            "deactivate a user or raise the seat limit first.",
            details={"seat_limit": limits.seat_limit, "active_users": used},
        )


def _role_check(role: str) -> str:
    if role not in TENANT_ROLES:
        raise ApplicationError(f"Unknown role {role!r}: use administrator, instructor or learner.",
                               code="unknown_role")
    return role


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_send(*, user: User, base_url: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    UserInvitation.objects.create(user=user, token_hash=_token_hash(token), created_at=now,
                                  expires_at=now + INVITATION_VALIDITY)
    link = f"{base_url.rstrip('/')}/accounts/invitation/{token}/"
    organisation = branding_display_name()
    transaction.on_commit(lambda: email_send(
        to=[user.email], template="courses/emails/invitation",
        context={"user": user, "link": link, "organisation": organisation}, language=user.language))
    return token


@transaction.atomic
def user_invite(*, email: str, role: str, base_url: str, full_name: str = "", language: str = "",
                invited_by: User | None = None, now: datetime | None = None) -> tuple[User, str]:
    """Register a user and e-mail a one-time link to choose a password (SPEC R2).
    Returns the user and the raw token (only its hash is stored)."""
    now = now or timezone.now()
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ApplicationError("This e-mail address is not valid.", code="invalid_email") from exc
    _role_check(role)
    if User.objects.filter(email=email).exists():
        raise UserExistsError("A user with this e-mail already exists in this organisation.")
    _seat_check()
    user = User.objects.create_user(email, None, role=role, full_name=full_name.strip(),
                                    language=language or tenant_default_language())
    return user, _invitation_send(user=user, base_url=base_url, now=now)


def user_invitation_get(*, token: str, now: datetime | None = None) -> UserInvitation:
    now = now or timezone.now()
    invitation = (UserInvitation.objects.select_related("user")
                  .filter(token_hash=_token_hash(token), accepted_at__isnull=True, expires_at__gt=now).first())
    if invitation is None or not invitation.user.is_active:
        raise InvitationInvalidError("This invitation link is not valid any more: ask your administrator "
                                     "for a new one or reset your password.")
    return invitation


@transaction.atomic
def user_invitation_accept(*, token: str, password: str, now: datetime | None = None) -> User:
    """One-time: the link sets the password once, then stops working. Trivial passwords are
    refused by the validators of settings.AUTH_PASSWORD_VALIDATORS (SPEC R3)."""
    now = now or timezone.now()
    invitation = user_invitation_get(token=token, now=now)
    user = invitation.user
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("This password is too weak.", code="weak_password",
                               details={"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    UserInvitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=now)
    return user


@transaction.atomic
def user_invitation_resend(*, user: User, base_url: str, now: datetime | None = None) -> str:
    """A new one-time link for a user who has not chosen a password yet; older links stop working."""
    now = now or timezone.now()
    if user.has_usable_password() or not user.is_active:
        raise InvitationInvalidError("This user already has a password or is inactive: use password reset.")
    UserInvitation.objects.filter(user=user, accepted_at__isnull=True).update(expires_at=now)
    return _invitation_send(user=user, base_url=base_url, now=now)


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    if user.pk == actor.pk:
        raise ForbiddenError("You cannot deactivate your own account.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User) -> User:
    if user.is_active:
        return user
    _seat_check()
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


# --- CSV import with preview ------------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    email: str
    action: str  # create | update | unchanged | error
    role: str = ""
    full_name: str = ""
    language: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ImportRow]
    applied: bool

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def summary(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("create", "update", "unchanged", "error")}


CSV_COLUMNS = ("email", "full_name", "role", "language")
_ROLE_ALIASES = {"admin": "administrator", "administrateur": "administrator", "formateur": "instructor",
                 "apprenant": "learner", "enseignant": "instructor"}


def _csv_rows(csv_text: str) -> list[tuple[int, dict[str, str]]]:
    text = csv_text.lstrip("\ufeff")
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    if "\x00" in text:
        raise ApplicationError("This file is not a text CSV file.", code="csv_invalid")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        headers = [h.strip().lower() for h in next(reader, [])]
        if "email" not in headers:
            raise ApplicationError("The CSV file needs a header line with at least an 'email' column "
                                   "(columns: email, full_name, role, language).", code="csv_invalid")
        for record in reader:
            clean = {name: value.strip() for name, value in zip(headers, record, strict=False) if name}
            if any(clean.values()):
                rows.append((reader.line_num, clean))
    except csv.Error as exc:
        raise ApplicationError(f"The CSV file cannot be read: {exc}.", code="csv_invalid") from exc
    return rows


def _import_plan(csv_text: str, *, seats_available: int) -> list[ImportRow]:
    rows = _csv_rows(csv_text)
    emails = {r.get("email", "").lower() for _, r in rows}
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    seen: set[str] = set()
    plan: list[ImportRow] = []
    for line, record in rows:
        email = record.get("email", "").lower()
        role_raw = record.get("role", "").lower() or User.Role.LEARNER
        role = _ROLE_ALIASES.get(role_raw, role_raw)
        language = record.get("language", "").lower()
        row = ImportRow(line=line, email=email, action="error", role=role, full_name=record.get("full_name", ""),
                        language=language)
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append({"code": "invalid_email", "message": "Not a valid e-mail address."})
        if role not in TENANT_ROLES:
            row.errors.append({"code": "unknown_role",
                               "message": f"Unknown role {role_raw!r}: administrator, instructor or learner."})
        if language and language not in ("en", "fr"):
            row.errors.append({"code": "unknown_language", "message": "Language must be en or fr."})
        if email in seen:
            row.errors.append({"code": "duplicate", "message": "This e-mail appears earlier in the file."})
        seen.add(email)
        if not row.errors:
            user = existing.get(email)
            if user is None:
                if seats_available <= 0:
                    row.errors.append({"code": "seat_limit_reached",
                                       "message": "No seat left in the subscription for a new active user."})
                else:
                    seats_available -= 1
                    row.action = "create"
            else:
                wanted = {"role": role, "full_name": row.full_name or user.full_name,
                          "language": language or user.language}
                row.changes = {k: {"from": getattr(user, k), "to": v} for k, v in wanted.items()
                               if getattr(user, k) != v}
                row.action = "update" if row.changes else "unchanged"
        plan.append(row)
    return plan


def users_import_preview(*, csv_text: str) -> ImportReport:
    """What applying the file would do, row by row; changes nothing."""
    limits = tenant_limits()
    return ImportReport(rows=_import_plan(csv_text, seats_available=limits.seat_limit - seats_used()),
                        applied=False)


def users_import_apply(*, csv_text: str, actor: User, base_url: str, now: datetime | None = None) -> ImportReport:
    """Apply the file (SPEC R2): each good row in its own savepoint, bad rows reported and skipped,
    new users invited by e-mail. Re-importing the same file changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        limits = tenant_limits(for_update=True)
        plan = _import_plan(csv_text, seats_available=limits.seat_limit - seats_used())
        for row in plan:
            if row.action not in ("create", "update"):
                continue
            try:
                with transaction.atomic():
                    if row.action == "create":
                        user = User.objects.create_user(row.email, None, role=row.role, full_name=row.full_name,
                                                        language=row.language or tenant_default_language())
                        _invitation_send(user=user, base_url=base_url, now=now)
                    else:
                        updates = {k: v["to"] for k, v in row.changes.items()}
                        User.objects.filter(email=row.email).update(**updates)
            except Exception as exc:  # a bad row never blocks the good ones
                row.action = "error"
                row.errors.append({"code": "row_failed", "message": str(exc)[:200]})
    return ImportReport(rows=plan, applied=True)


# --- Courses, modules, lessons --------------------------------------------------------------------

MARKDOWN_TAGS = {"p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a",
                 "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "img"}


def markdown_render(text: str) -> str:
    """Markdown → HTML, sanitised with nh3 (no script, no event handler, no javascript: URL)."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return nh3.clean(html, tags=MARKDOWN_TAGS,
                     attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                                 "td": {"align"}},
                     url_schemes={"http", "https", "mailto"})


COURSE_FIELDS = ("title", "slug", "summary", "language", "licence", "pass_mark", "visibility")


def _course_validate(course: Course) -> None:
    try:
        course.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        raise ApplicationError("The course is not valid.", code="validation_error",
                               details=exc.message_dict) from exc


@transaction.atomic
def course_create(*, actor: User, title: str, slug: str, **fields: Any) -> Course:
    course = Course(title=title, slug=slug, created_by=actor,
                    **{k: v for k, v in fields.items() if k in COURSE_FIELDS})
    _course_validate(course)
    course.save()
    return course


@transaction.atomic
def course_update(*, course: Course, actor: User, **fields: Any) -> Course:
    for name, value in fields.items():
        if name in COURSE_FIELDS:
            setattr(course, name, value)
    _course_validate(course)
    course.save()
    return course


@transaction.atomic
def course_publish(*, course: Course, actor: User) -> Course:
    if not Lesson.objects.filter(module__course=course).exists():
        raise CourseNotReadyError("Add at least one lesson before publishing the course.")
    course.status = Course.Status.PUBLISHED
    course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def course_unpublish(*, course: Course, actor: User) -> Course:
    course.status = Course.Status.DRAFT
    course.save(update_fields=["status", "updated_at"])
    return course


def course_delete(*, course: Course, actor: User) -> None:
    for lesson in Lesson.objects.filter(module__course=course).select_related("media"):
        lesson_delete(lesson=lesson)
    course.delete()


@transaction.atomic
def module_create(*, course: Course, title: str) -> Module:
    if not title.strip():
        raise ApplicationError("A module needs a title.", code="validation_error")
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
            "This deadline falls inside a planned maintenance window: choose another time.")


def _lesson_media_attach(*, lesson: Lesson, upload_id: int | None) -> None:
    if upload_id is None:
        return
    upload = MediaUpload.objects.filter(pk=upload_id, confirmed_at__isnull=False).first()
    if upload is None:
        raise UploadRefusedError("This upload does not exist or was not confirmed.")
    if upload.purpose != lesson.kind:
        raise UploadRefusedError(f"A {lesson.kind} lesson needs a {lesson.kind} upload.")
    if hasattr(upload, "lesson") and upload.lesson.pk != lesson.pk:
        raise UploadRefusedError("This upload already belongs to another lesson.")
    old = lesson.media
    lesson.media = upload
    if old is not None and old.pk != upload.pk:
        lesson.save()
        media_delete(upload=old)


@transaction.atomic
def lesson_create(*, module: Module, title: str, kind: str, body_markdown: str = "",
                  media_upload_id: int | None = None, max_attempts: int = 3,
                  time_limit_minutes: int | None = None, deadline: datetime | None = None) -> Lesson:
    if kind not in Lesson.Kind.values:
        raise ApplicationError(f"Unknown lesson kind {kind!r}.", code="validation_error")
    if not title.strip():
        raise ApplicationError("A lesson needs a title.", code="validation_error")
    quiz_deadline_check(deadline=deadline)
    position = (Lesson.objects.filter(module=module).aggregate(m=Max("position"))["m"] or 0) + 1
    lesson = Lesson(module=module, title=title.strip(), kind=kind, position=position, body_markdown=body_markdown,
                    body_html=markdown_render(body_markdown), max_attempts=max_attempts,
                    time_limit_minutes=time_limit_minutes or None, deadline=deadline)
    if kind in (Lesson.Kind.VIDEO, Lesson.Kind.FILE) and media_upload_id is None:
        raise UploadRefusedError(f"A {kind} lesson needs an uploaded {kind}.")
    _lesson_media_attach(lesson=lesson, upload_id=media_upload_id)
    lesson.save()
    return lesson


@transaction.atomic
def lesson_update(*, lesson: Lesson, **fields: Any) -> Lesson:
    if "deadline" in fields:
        quiz_deadline_check(deadline=fields["deadline"])
    for name in ("title", "body_markdown", "max_attempts", "time_limit_minutes", "deadline", "position"):
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


@transaction.atomic
def question_create(*, lesson: Lesson, text: str, kind: str, choices: list[tuple[str, bool]]) -> Question:
    if lesson.kind != Lesson.Kind.QUIZ:
        raise ApplicationError("Questions belong to quiz lessons.", code="validation_error")
    if kind not in Question.Kind.values:
        raise ApplicationError(f"Unknown question kind {kind!r}.", code="validation_error")
    choices = [(t.strip(), bool(c)) for t, c in choices if t.strip()]
    correct = sum(1 for _, c in choices if c)
    if not text.strip() or len(choices) < 2:
        raise ApplicationError("A question needs a text and at least two choices.", code="validation_error")
    if (kind == Question.Kind.SINGLE and correct != 1) or correct < 1:
        raise ApplicationError("A single-choice question has exactly one correct choice; a multiple-choice "
                               "question at least one.", code="validation_error")
    position = (Question.objects.filter(lesson=lesson).aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question.objects.create(lesson=lesson, text=text.strip(), kind=kind, position=position)
    Choice.objects.bulk_create([Choice(question=question, text=t, is_correct=c) for t, c in choices])
    return question


# --- Media on S3 (SPEC R20) -----------------------------------------------------------------------

MB = 1024 * 1024
UPLOAD_RULES: dict[str, tuple[set[str], int]] = {
    MediaUpload.Purpose.VIDEO: ({"video/mp4", "video/webm", "video/ogg", "video/quicktime"}, 4 * 1024 * MB),
    MediaUpload.Purpose.FILE: ({"application/pdf", "application/zip", "text/plain", "text/csv", "image/png",
                                "image/jpeg", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                "application/vnd.oasis.opendocument.text"}, 200 * MB),
    MediaUpload.Purpose.LOGO: ({"image/png", "image/jpeg", "image/webp"}, 2 * MB),
}


def storage_warning(*, used: int, quota: int) -> str | None:
    """'100' when usage reached the quota, '80' from 80 %, else None (SPEC R20)."""
    if quota <= 0 or used >= quota:
        return "100"
    if used * 100 >= quota * 80:
        return "80"
    return None


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


@transaction.atomic
def media_upload_sign(*, actor: User, purpose: str, filename: str, content_type: str, size: int) -> SignedUpload:
    """Presign a browser PUT under the tenant's prefix, after checking type, size and quota."""
    if purpose not in UPLOAD_RULES:
        raise UploadRefusedError(f"Unknown upload purpose {purpose!r}.")
    types, max_size = UPLOAD_RULES[purpose]
    if content_type not in types:
        raise UploadRefusedError(f"Files of type {content_type!r} are not accepted here.",
                                 details={"accepted": sorted(types)})
    if size <= 0 or size > max_size:
        raise UploadRefusedError(f"The file must weigh between 1 byte and {max_size // MB} MB.",
                                 details={"max_bytes": max_size})
    limits = tenant_limits(for_update=True)
    if limits.storage_used_bytes + size > limits.storage_quota_bytes:
        raise StorageQuotaExceededError(
            "The organisation's storage quota is used up: delete content or raise the quota first.",
            details={"quota_bytes": limits.storage_quota_bytes, "used_bytes": limits.storage_used_bytes,
                     "requested_bytes": size})
    key = (f"{storage.tenant_prefix(schema_name=connection.schema_name)}media/{purpose}/{uuid.uuid4().hex}/"
           f"{_safe_filename(filename)}")
    warning = storage_warning(used=limits.storage_used_bytes + size, quota=limits.storage_quota_bytes)
    threshold, part_size = _multipart_threshold()
    if size > threshold:  # large videos: one presigned URL per part
        multipart_id = storage.multipart_create(key=key, content_type=content_type)
        upload = MediaUpload.objects.create(key=key, purpose=purpose, filename=filename[:200],
                                            content_type=content_type, declared_size=size, created_by=actor,
                                            multipart_id=multipart_id)
        parts = -(-size // part_size)
        urls = [storage.multipart_part_url(key=key, upload_id=multipart_id, part_number=n)
                for n in range(1, parts + 1)]
        return SignedUpload(upload=upload, url="", headers={}, storage_warning=warning, part_size=part_size,
                            part_urls=urls)
    upload = MediaUpload.objects.create(key=key, purpose=purpose, filename=filename[:200], content_type=content_type,
                                        declared_size=size, created_by=actor)
    url = storage.presigned_put_url(key=key, content_type=content_type)
    return SignedUpload(upload=upload, url=url, headers={"Content-Type": content_type}, storage_warning=warning)


def media_upload_confirm(*, upload: MediaUpload) -> tuple[MediaUpload, str | None]:
    """The browser says its PUT finished: check the object, count its real size in the usage.
    Returns the upload and the storage warning ('80', '100' or None)."""
    if upload.confirmed_at is not None:
        limits = tenant_limits()
        return upload, storage_warning(used=limits.storage_used_bytes, quota=limits.storage_quota_bytes)
    try:
        if upload.multipart_id:
            storage.multipart_complete(key=upload.key, upload_id=upload.multipart_id)
            upload.multipart_id = ""
            upload.save(update_fields=["multipart_id"])
        head = storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=upload.key)
    except Exception as exc:
        raise UploadRefusedError("The file has not arrived in storage yet.", code="upload_missing") from exc
    size = int(head["ContentLength"])
    if head.get("ContentType") != upload.content_type:  # S3 enforces the signed type; check anyway
        storage.object_delete(key=upload.key)
        upload.delete()
        raise UploadRefusedError("The file was stored with another type than announced.")
    with transaction.atomic():
        limits = tenant_limits(for_update=True)
        if size > upload.declared_size or limits.storage_used_bytes + size > limits.storage_quota_bytes:
            storage.object_delete(key=upload.key)
            upload.delete()
            raise StorageQuotaExceededError("The file is larger than announced or the quota is used up.",
                                            details={"size": size})
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
    admins = list(User.objects.filter(role=User.Role.ADMINISTRATOR, is_active=True).values_list("email", "language"))
    context = {"level": level, "used": used, "quota": quota, "organisation": branding_display_name()}
    for language in {lang for _, lang in admins}:
        recipients = [email for email, lang in admins if lang == language]
        transaction.on_commit(lambda r=recipients, lang=language: email_send(
            to=r, template="courses/emails/storage_warning", context=context, language=lang))


def media_delete(*, upload: MediaUpload) -> None:
    if upload.multipart_id:
        with contextlib.suppress(Exception):  # already completed or aborted
            storage.multipart_abort(key=upload.key, upload_id=upload.multipart_id)
    storage.object_delete(key=upload.key)
    if upload.confirmed_at is not None and upload.size:
        storage.storage_usage_add(delta_bytes=-upload.size)
    upload.delete()


def media_download_url(*, upload: MediaUpload, attachment: bool = False) -> str:
    return storage.presigned_get_url(key=upload.key, filename=_safe_filename(upload.filename) if attachment else None)


# --- Enrolment, progress, quizzes -----------------------------------------------------------------


@transaction.atomic
def course_invitations_add(*, course: Course, emails: list[str]) -> int:
    """Invite e-mails to a SPOC; returns how many new invitations were recorded."""
    clean = set()
    for email in emails:
        email = email.strip().strip('"').lower()
        try:
            validate_email(email)
        except ValidationError:
            continue
        clean.add(email)
    existing = set(CourseInvitation.objects.filter(course=course, email__in=clean).values_list("email", flat=True))
    CourseInvitation.objects.bulk_create([CourseInvitation(course=course, email=e) for e in sorted(clean - existing)])
    return len(clean - existing)


@transaction.atomic
def enrollment_create(*, course: Course, user: User, actor: User | None = None) -> tuple[Enrollment, bool]:
    """Self-enrolment in a published MOOC; a SPOC admits invited e-mails, or users enrolled by an
    instructor or administrator. Idempotent: returns (enrolment, created)."""
    actor = actor or user
    existing = Enrollment.objects.filter(course=course, user=user).first()
    if existing is not None:
        return existing, False
    by_staff = is_staff_member(actor) and actor.pk != user.pk
    if course.status != Course.Status.PUBLISHED and not by_staff:
        raise EnrollmentRefusedError("This course is not published.")
    if (course.visibility == Course.Visibility.SPOC and not by_staff
            and not CourseInvitation.objects.filter(course=course, email=user.email).exists()):
        raise EnrollmentRefusedError("This course is open by invitation only (SPOC).")
    return Enrollment.objects.create(course=course, user=user), True


def enrollment_for(*, course: Course, user: User) -> Enrollment:
    enrollment = Enrollment.objects.filter(course=course, user=user).first()
    if enrollment is None:
        raise NotEnrolledError("Enrol in the course first.")
    return enrollment


def course_score(*, course: Course, user: User) -> Decimal:
    """The learner's course score: the mean of their best submitted score on each quiz of the
    course (a quiz never taken counts 0); 100 when the course has no quiz."""
    quiz_ids = list(Lesson.objects.filter(module__course=course, kind=Lesson.Kind.QUIZ).values_list("id", flat=True))
    if not quiz_ids:
        return HUNDRED.quantize(Decimal("0.01"))
    best = dict(QuizAttempt.objects.filter(lesson_id__in=quiz_ids, user=user, submitted_at__isnull=False)
                .values("lesson_id").annotate(best=Max("score")).values_list("lesson_id", "best"))
    total = sum((best.get(q) or Decimal("0")) for q in quiz_ids)
    return (Decimal(total) / len(quiz_ids)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _completion_record(*, enrollment: Enrollment, lesson: Lesson, now: datetime) -> Certificate | None:
    LessonCompletion.objects.get_or_create(enrollment=enrollment, lesson=lesson, defaults={"completed_at": now})
    total = Lesson.objects.filter(module__course_id=enrollment.course_id).count()
    done = LessonCompletion.objects.filter(enrollment=enrollment).count()
    if done >= total and enrollment.completed_at is None:
        enrollment.completed_at = now
        enrollment.save(update_fields=["completed_at"])
    return certificate_issue_if_earned(enrollment=enrollment, now=now)


@transaction.atomic
def lesson_complete(*, lesson: Lesson, user: User, now: datetime | None = None) -> Certificate | None:
    """Mark a text, video or file lesson done (quizzes are completed by submitting an attempt).
    Returns the certificate when this completion earned it."""
    now = now or timezone.now()
    enrollment = enrollment_for(course=lesson.module.course, user=user)
    if lesson.kind == Lesson.Kind.QUIZ:
        raise ApplicationError("A quiz is completed by submitting an attempt.", code="quiz_not_submitted")
    return _completion_record(enrollment=enrollment, lesson=lesson, now=now)


@transaction.atomic
def quiz_attempt_start(*, lesson: Lesson, user: User, now: datetime | None = None) -> QuizAttempt:
    """Open an attempt (or return the one still open). Refused past the deadline or the attempts limit."""
    now = now or timezone.now()
    if lesson.kind != Lesson.Kind.QUIZ:
        raise NotFoundError("This lesson is not a quiz.")
    enrollment_for(course=lesson.module.course, user=user)
    if lesson.deadline and now > lesson.deadline:
        raise QuizClosedError("The deadline of this quiz has passed.", code="quiz_deadline_passed")
    attempts = list(QuizAttempt.objects.select_for_update().filter(lesson=lesson, user=user))
    for attempt in attempts:
        if attempt.submitted_at is None and (attempt.expires_at is None or attempt.expires_at > now):
            return attempt
    if lesson.max_attempts and len(attempts) >= lesson.max_attempts:
        raise QuizClosedError(f"You have used your {lesson.max_attempts} attempts.", code="quiz_attempts_exhausted")
    expires = now + timedelta(minutes=lesson.time_limit_minutes) if lesson.time_limit_minutes else None
    if lesson.deadline and (expires is None or expires > lesson.deadline):
        expires = lesson.deadline
    return QuizAttempt.objects.create(lesson=lesson, user=user, number=len(attempts) + 1, started_at=now,
                                      expires_at=expires)


def quiz_grade(*, lesson: Lesson, answers: dict[str, list[int]]) -> Decimal:
    """All-or-nothing per question: the selected set must equal the correct set. Score in %."""
    questions = list(Question.objects.filter(lesson=lesson).prefetch_related("choices"))
    if not questions:
        return HUNDRED.quantize(Decimal("0.01"))
    right = 0
    for question in questions:
        correct = {c.id for c in question.choices.all() if c.is_correct}
        given = answers.get(str(question.id)) or answers.get(question.id) or []  # type: ignore[call-overload]
        try:
            chosen = {int(x) for x in (given if isinstance(given, list | tuple) else [given])}
        except (TypeError, ValueError):
            chosen = set()
        if question.kind == Question.Kind.SINGLE and len(chosen) > 1:
            chosen = set()
        right += chosen == correct
    return (Decimal(right) * HUNDRED / len(questions)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Network latency between the last click and the server.
SUBMIT_GRACE = timedelta(seconds=30)


@transaction.atomic
def quiz_attempt_submit(*, attempt: QuizAttempt, user: User, answers: dict[str, list[int]],
                        now: datetime | None = None) -> QuizAttempt:
    """Grade and close the attempt, complete the quiz lesson, and issue the certificate when earned.
    An attempt submitted after its time limit or the deadline scores 0."""
    now = now or timezone.now()
    attempt = QuizAttempt.objects.select_for_update().select_related("lesson__module__course").get(pk=attempt.pk)
    if attempt.user_id != user.pk:
        raise NotFoundError("No such attempt.")
    if attempt.submitted_at is not None:
        raise QuizClosedError("This attempt was already submitted.", code="quiz_attempt_submitted")
    late = attempt.expires_at is not None and now > attempt.expires_at + SUBMIT_GRACE
    attempt.answers = {str(k): v for k, v in (answers or {}).items() if str(k).isdigit()}
    attempt.score = Decimal("0.00") if late else quiz_grade(lesson=attempt.lesson, answers=attempt.answers)
    attempt.submitted_at = now
    attempt.save(update_fields=["answers", "score", "submitted_at"])
    enrollment = enrollment_for(course=attempt.lesson.module.course, user=user)
    _completion_record(enrollment=enrollment, lesson=attempt.lesson, now=now)
    return attempt


# --- Certificates (SPEC R21) ------------------------------------------------------------------------


def _certificate_code() -> str:
    return secrets.token_hex(8).upper()


def certificate_issue_if_earned(*, enrollment: Enrollment, now: datetime | None = None) -> Certificate | None:
    """Issue the certificate of achievement when every lesson is completed and the course score is
    at least the pass mark (SPEC R21, `001_…` definitions). Returns it when issued now."""
    now = now or timezone.now()
    if enrollment.completed_at is None:
        return None
    course = Course.objects.get(pk=enrollment.course_id)
    user = User.objects.get(pk=enrollment.user_id)
    if Certificate.objects.filter(course=course, user=user).exists():
        return None
    score = course_score(course=course, user=user)
    if score < course.pass_mark:
        return None
    certificate = Certificate.objects.create(
        code=_certificate_code(), course=course, user=user, holder_name=user.full_name or user.email,
        course_title=course.title, organisation_name=branding_display_name(), score=score, issued_at=now)
    schema_name = connection.schema_name
    transaction.on_commit(lambda: _certificate_pdf_queue(schema_name=schema_name, certificate_id=certificate.pk))
    return certificate


def _certificate_pdf_queue(*, schema_name: str, certificate_id: int) -> None:
    """Queue the PDF; when the broker is unreachable the PDF is rendered at the first download."""
    from .tasks import certificate_pdf_store as task

    try:
        task.delay(schema_name=schema_name, certificate_id=certificate_id)
    except Exception:
        logger.warning("certificate %s: PDF not queued, it will be rendered on download", certificate_id,
                       exc_info=True)


def _tenant_address() -> str:
    """The organisation's primary host, read by value from the platform's domain table."""
    tenant = get_tenant_model().objects.filter(schema_name=connection.schema_name).first()
    domain = tenant.get_primary_domain() if tenant is not None else None
    return domain.domain if domain is not None else ""


def certificate_pdf_store(*, certificate_id: int) -> str:
    """Render the certificate's PDF and keep it on S3; returns its key (idempotent)."""
    from .pdf import certificate_pdf

    certificate = Certificate.objects.get(pk=certificate_id)
    if certificate.pdf_key:
        return certificate.pdf_key
    branding = Branding.objects.filter(pk=1).select_related("logo").first()
    body = certificate_pdf(certificate=certificate, branding=branding, address=_tenant_address())
    key = f"{storage.tenant_prefix(schema_name=connection.schema_name)}certificates/{certificate.code}.pdf"
    storage.object_put(key=key, body=body, content_type="application/pdf")
    storage.storage_usage_add(delta_bytes=len(body))
    Certificate.objects.filter(pk=certificate.pk).update(pdf_key=key)
    return key


def certificate_download_url(*, certificate: Certificate) -> str:
    key = certificate.pdf_key or certificate_pdf_store(certificate_id=certificate.pk)
    return storage.presigned_get_url(key=key, filename=f"certificate-{certificate.code}.pdf")


# --- Discussions (SPEC R21: a posteriori moderation) ----------------------------------------------


def member_check(*, course: Course, user: User) -> None:
    if not is_staff_member(user) and not Enrollment.objects.filter(course=course, user=user).exists():
        raise NotEnrolledError("Enrol in the course to take part in its discussion.")


@transaction.atomic
def post_create(*, course: Course, author: User, body: str, parent: Post | None = None) -> Post:
    """Posts are visible at once; moderation comes after a report."""
    member_check(course=course, user=author)
    if not body.strip():
        raise ApplicationError("A post cannot be empty.", code="validation_error")
    if parent is not None:
        if parent.course_id != course.pk:
            raise NotFoundError("No such post in this course.")
        parent = parent.parent or parent  # one level of replies
    return Post.objects.create(course=course, author=author, body=body.strip()[:10_000], parent=parent)


@transaction.atomic
def post_report(*, post: Post, reporter: User, reason: str) -> PostReport:
    member_check(course=post.course, user=reporter)
    if not reason.strip():
        raise ApplicationError("Say why this post should be moderated.", code="validation_error")
    return PostReport.objects.create(post=post, reporter=reporter, reason=reason.strip()[:500])


def _author_tell(*, post: Post, template: str, reason: str = "") -> None:
    author = post.author
    if author is None:
        return
    context = {"post": post, "course_title": post.course.title, "reason": reason,
               "organisation": branding_display_name()}
    transaction.on_commit(lambda: email_send(to=[author.email], template=template, context=context,
                                             language=author.language))


@transaction.atomic
def post_hide(*, post: Post, moderator: User, reason: str = "", now: datetime | None = None) -> Post:
    if not is_staff_member(moderator):
        raise ForbiddenError("Only instructors and administrators moderate discussions.")
    now = now or timezone.now()
    if post.hidden_at is None:
        post.hidden_at, post.hidden_by = now, moderator
        post.save(update_fields=["hidden_at", "hidden_by"])
        _author_tell(post=post, template="courses/emails/post_hidden", reason=reason)
    PostReport.objects.filter(post=post, resolved_at__isnull=True).update(resolved_at=now)
    return post


@transaction.atomic
def post_restore(*, post: Post, moderator: User, now: datetime | None = None) -> Post:
    if not is_staff_member(moderator):
        raise ForbiddenError("Only instructors and administrators moderate discussions.")
    now = now or timezone.now()
    if post.hidden_at is not None:
        post.hidden_at, post.hidden_by = None, None
        post.save(update_fields=["hidden_at", "hidden_by"])
        _author_tell(post=post, template="courses/emails/post_restored")
    PostReport.objects.filter(post=post, resolved_at__isnull=True).update(resolved_at=now)
    return post


@transaction.atomic
def report_dismiss(*, report: PostReport, moderator: User, now: datetime | None = None) -> PostReport:
    report.resolved_at = now or timezone.now()
    report.save(update_fields=["resolved_at"])
    return report


# --- Branding ---------------------------------------------------------------------------------------


def tenant_default_language() -> str:
    branding = Branding.objects.filter(pk=1).only("default_language").first()
    if branding is not None:
        return branding.default_language
    return getattr(getattr(connection, "tenant", None), "language", None) or "en"


def branding_display_name() -> str:
    branding = Branding.objects.filter(pk=1).only("name").first()
    if branding is not None and branding.name:
        return branding.name
    name = getattr(getattr(connection, "tenant", None), "name", None)
    return name or tenant_limits().name


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@transaction.atomic
def branding_update(*, actor: User, name: str | None = None, primary_color: str | None = None,
                    accent_color: str | None = None, default_language: str | None = None,
                    logo_upload_id: int | None = None, logo_remove: bool = False) -> Branding:
    if actor.role != User.Role.ADMINISTRATOR:
        raise ForbiddenError("Only administrators change the branding.")
    branding, _ = Branding.objects.select_for_update().get_or_create(pk=1)
    errors: dict[str, list[str]] = {}
    for attr, value in (("primary_color", primary_color), ("accent_color", accent_color)):
        if value is not None:
            if not _HEX.match(value):
                errors[attr] = ["Use a colour like #1d4ed8."]
            else:
                setattr(branding, attr, value.lower())
    if default_language is not None:
        if default_language not in ("en", "fr"):
            errors["default_language"] = ["Use en or fr."]
        else:
            branding.default_language = default_language
    if errors:
        raise ApplicationError("The branding is not valid.", code="validation_error", details=errors)
    if name is not None:
        branding.name = name.strip()[:200]
    old_logo = branding.logo
    if logo_upload_id is not None:
        upload = MediaUpload.objects.filter(pk=logo_upload_id, purpose=MediaUpload.Purpose.LOGO,
                                            confirmed_at__isnull=False).first()
        if upload is None:
            raise UploadRefusedError("This logo upload does not exist or was not confirmed.")
        branding.logo = upload
    elif logo_remove:
        branding.logo = None
    branding.save()
    if old_logo is not None and branding.logo_id != old_logo.pk:
        media_delete(upload=old_logo)
    return branding


# --- The learner's own data ------------------------------------------------------------------------


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about the user in this organisation, as JSON-ready data."""
    enrollments = Enrollment.objects.filter(user=user).select_related("course").prefetch_related(
        "completions__lesson")
    return {
        "profile": {"email": user.email, "full_name": user.full_name, "role": user.role, "language": user.language,
                    "date_joined": user.date_joined.isoformat(), "is_active": user.is_active},
        "enrollments": [
            {"course": e.course.slug, "course_title": e.course.title, "enrolled_at": e.created_at.isoformat(),
             "completed_at": e.completed_at.isoformat() if e.completed_at else None,
             "completed_lessons": [{"lesson": c.lesson.title, "completed_at": c.completed_at.isoformat()}
                                   for c in e.completions.all()]}
            for e in enrollments
        ],
        "quiz_attempts": [
            {"lesson": a.lesson.title, "number": a.number, "started_at": a.started_at.isoformat(),
             "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
             "score": str(a.score) if a.score is not None else None, "answers": a.answers}
            for a in QuizAttempt.objects.filter(user=user).select_related("lesson")
        ],
        "certificates": [
            {"code": c.code, "course_title": c.course_title, "score": str(c.score),
             "issued_at": c.issued_at.isoformat()}
            for c in Certificate.objects.filter(user=user)
        ],
        "posts": [
            {"course": p.course.slug, "body": p.body, "created_at": p.created_at.isoformat(),
             "hidden": p.hidden_at is not None}
            for p in Post.objects.filter(author=user).select_related("course")
        ],
        "reports": [
            {"post_id": r.post_id, "reason": r.reason, "created_at": r.created_at.isoformat()}
            for r in PostReport.objects.filter(reporter=user)
        ],
    }


def user_account_delete(*, user: User) -> None:
    """Delete my account: posts stay, anonymised; certificates stay verifiable as "holder removed"
    (their PDF, which bears the name, is deleted); everything else of mine is deleted."""
    if (user.role == User.Role.ADMINISTRATOR and user.is_active and not User.objects.filter(
            role=User.Role.ADMINISTRATOR, is_active=True).exclude(pk=user.pk).exists()):
        raise ForbiddenError("You are the organisation's last administrator: appoint another one first.",
                             code="last_administrator")
    pdf_keys: list[str] = []
    with transaction.atomic():
        Post.objects.filter(author=user).update(author=None)
        for certificate in Certificate.objects.select_for_update().filter(user=user):
            if certificate.pdf_key:
                pdf_keys.append(certificate.pdf_key)
        Certificate.objects.filter(user=user).update(user=None, holder_name="", holder_removed=True, pdf_key="")
        user.delete()
    for key in pdf_keys:
        try:
            size = storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=key)["ContentLength"]
        except Exception:  # noqa: S112 — already gone: nothing to give back
            continue
        storage.object_delete(key=key)
        storage.storage_usage_add(delta_bytes=-int(size))
