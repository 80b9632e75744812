"""The learner's own data: export and account deletion."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ForbiddenError

from ..models import Certificate, Enrollment, Post, PostReport, QuizAttempt, ScormAttempt
from .people import administrator_kept_check


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
        "scorm_attempts": [
            {"lesson": a.lesson.title, "number": a.number, "started_at": a.started_at.isoformat(),
             "updated_at": a.updated_at.isoformat(), "completion_status": a.completion_status,
             "success_status": a.success_status, "score": str(a.score) if a.score is not None else None,
             "cmi": a.cmi}
            for a in ScormAttempt.objects.filter(user=user).select_related("lesson")
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


def user_account_delete(*, user: User, erased_by: User | None = None) -> None:
    """Delete my account: posts stay, anonymised; certificates stay verifiable as "holder removed"
    (their PDF, which bears the name, is deleted); everything else of mine is deleted. What `public` keeps about
    me (audit events, claims, the organisation's exports that contain me) is anonymised or deleted in the same
    transaction by the functions settings.USER_ERASURE_HOOKS names (SPEC R29)."""
    pdf_keys: list[str] = []
    with transaction.atomic():
        administrator_kept_check(leaving=user)
        user_id, email = user.pk, user.email
        for path in settings.USER_ERASURE_HOOKS:
            import_string(path)(schema_name=connection.schema_name, user_id=user_id, email=email)
        if erased_by is not None:
            audit_record(action="user.erased", actor=erased_by, schema_name=connection.schema_name,
                         after={"user_id": user_id})
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


def user_erase(*, user: User, actor: User, confirm_email: str) -> None:
    """An administrator erases a user (right to erasure, SPEC R29): the same anonymisation as the user's own
    account deletion (`user_account_delete`), audited without the person's name or e-mail. `confirm_email` must
    be the user's address, typed again: nothing is undone."""
    if not actor.is_tenant_admin:
        raise ForbiddenError(_("Only the organisation's administrators can erase a user."))
    if user.pk == actor.pk:
        raise ForbiddenError(_("Delete your own account from your profile page."))
    if (confirm_email or "").strip().lower() != user.email.lower():
        raise ApplicationError(_("Type the user's e-mail address to confirm."), code=Code.VALIDATION_ERROR,
                               details={"email": [_("Type the user's e-mail address to confirm.")]})
    user_account_delete(user=user, erased_by=actor)


def users_deactivated_due(*, now: datetime) -> list[User]:
    """In this schema: users deactivated at least PRIVACY_DEACTIVATED_USER_DAYS ago (SPEC R29), oldest first."""
    limit = now - timedelta(days=settings.PRIVACY_DEACTIVATED_USER_DAYS)
    return list(User.objects.filter(is_active=False, deactivated_at__lte=limit).order_by("deactivated_at", "id"))


def users_deactivated_anonymise(*, now: datetime | None = None, dry_run: bool = False) -> list[int]:
    """In this schema: anonymise every user deactivated for longer than the period, exactly as their own
    account deletion would (`user_account_delete`). Returns the ids done (or, dry run, that would be). Exactly
    once by construction: an anonymised account no longer exists. Audited `user.anonymised_after_deactivation`."""
    now = now or timezone.now()
    done = []
    for user in users_deactivated_due(now=now):
        if not dry_run:
            user_id = user.pk
            user_account_delete(user=user)
            audit_record(action="user.anonymised_after_deactivation", schema_name=connection.schema_name,
                         after={"user_id": user_id})
        done.append(user.pk if dry_run else user_id)
    return done


def users_deactivated_anonymise_all_tenants(*, now: datetime | None = None, dry_run: bool = False
                                            ) -> dict[str, list[int]]:
    """In every live tenant (read by value through settings.TENANT_SCHEMAS_READER), `users_deactivated_anonymise`.
    Returns {schema: [user ids]} for the schemas with any (beat task `courses.privacy_run`, `run_privacy`)."""
    from django_tenants.utils import schema_context, schema_exists

    now = now or timezone.now()
    done: dict[str, list[int]] = {}
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        schema_names = list(import_string(settings.TENANT_SCHEMAS_READER)())
    for schema_name in schema_names:
        if not schema_exists(schema_name):  # purged meanwhile
            continue
        with schema_context(schema_name):
            ids = users_deactivated_anonymise(now=now, dry_run=dry_run)
        if ids:
            done[schema_name] = ids
    return done
