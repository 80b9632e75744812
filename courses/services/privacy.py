"""The learner's own data: export and account deletion."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from mooc_platform import storage
from mooc_platform.accounts.models import User

from ..models import Certificate, Enrollment, Post, PostReport, QuizAttempt
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
    pdf_keys: list[str] = []
    with transaction.atomic():
        administrator_kept_check(leaving=user)
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
