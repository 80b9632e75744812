"""Learning paths (issue 14 item 10): an ordered list of courses, published to learners, who enrol in the path
(that enrols them in its courses) alone or with a cohort; earning the certificate of every course of the path
earns the path's certificate (the certificates' machinery: code, PDF in the path's language with the QR code of
its verification URL, the same public verification page).

"Completing a course" of a path means earning its certificate: every lesson done with at least the course's
pass mark (SPEC R21). The path's score is the mean of its courses' scores."""

from __future__ import annotations

import contextlib
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ConflictError
from mooc_platform.i18n import LANGUAGE_CODES

from ..errors import Code, CourseNotReadyError, EnrollmentRefusedError
from ..models import (
    Certificate,
    Cohort,
    CohortMember,
    CohortPath,
    Course,
    LearningPath,
    LearningPathCourse,
    Notification,
    PathEnrollment,
)
from .branding import branding_display_name
from .certificates import _certificate_code, _certificate_pdf_queue
from .learning import enrollment_create
from .notifications import notify

TITLE_MAX = 200
SLUG_MAX = 100


def _title_clean(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("The learning path needs a title."), code=Code.VALIDATION_ERROR)
    if len(title) > TITLE_MAX:
        raise ApplicationError(_("The title is at most %(n)s characters.") % {"n": TITLE_MAX},
                               code=Code.VALIDATION_ERROR)
    return title


def _language_clean(language: str) -> str:
    if language not in LANGUAGE_CODES:
        raise ApplicationError(_("Language must be en or fr."), code=Code.UNKNOWN_LANGUAGE)
    return language


@transaction.atomic
def path_create(*, title: str, actor: User, slug: str = "", summary: str = "", language: str = "fr") -> LearningPath:
    title = _title_clean(title)
    slug = slugify(slug or title)[:SLUG_MAX].strip("-") or "path"
    if LearningPath.objects.filter(slug=slug).exists():
        if LearningPath.objects.filter(slug__startswith=slug).count() > 1000:
            raise ConflictError(_("A learning path with this slug already exists."), code=Code.DUPLICATE)
        base, n = slug[:SLUG_MAX - 5], 2
        while LearningPath.objects.filter(slug=f"{base}-{n}").exists():
            n += 1
        slug = f"{base}-{n}"
    try:
        with transaction.atomic():
            path = LearningPath.objects.create(title=title, slug=slug, summary=(summary or "").strip(),
                                               language=_language_clean(language), created_by=actor)
    except IntegrityError:
        raise ConflictError(_("A learning path with this slug already exists."), code=Code.DUPLICATE) from None
    audit_record(action="path.created", actor=actor, schema_name=connection.schema_name, target=path,
                 after={"title": title, "slug": slug})
    return path


@transaction.atomic
def path_update(*, path: LearningPath, actor: User, title: str | None = None, summary: str | None = None,
                language: str | None = None) -> LearningPath:
    if title is not None:
        path.title = _title_clean(title)
    if summary is not None:
        path.summary = summary.strip()
    if language is not None:
        path.language = _language_clean(language)
    path.save(update_fields=["title", "summary", "language"])
    return path


@transaction.atomic
def path_delete(*, path: LearningPath, actor: User) -> None:
    """Delete the path; its courses, their enrolments and the certificates already issued stay."""
    audit_record(action="path.deleted", actor=actor, schema_name=connection.schema_name, target=path,
                 before={"title": path.title, "slug": path.slug})
    path.delete()


@transaction.atomic
def path_course_add(*, path: LearningPath, course: Course, actor: User) -> LearningPathCourse:
    """Add a course at the end of the path. A published path takes published courses only."""
    if path.status == LearningPath.Status.PUBLISHED and course.status != Course.Status.PUBLISHED:
        raise CourseNotReadyError(_("Publish the course before adding it to a published learning path."))
    if LearningPathCourse.objects.filter(path=path, course=course).exists():
        raise ConflictError(_("This course is already in the learning path."), code=Code.DUPLICATE)
    last = LearningPathCourse.objects.filter(path=path).aggregate(m=Max("position"))["m"]
    try:
        with transaction.atomic():
            step = LearningPathCourse.objects.create(path=path, course=course,
                                                     position=0 if last is None else last + 1)
    except IntegrityError:
        raise ConflictError(_("This course is already in the learning path."), code=Code.DUPLICATE) from None
    # Learners of the path are enrolled in the course added.
    for enrollment in PathEnrollment.objects.filter(path=path).select_related("user"):
        if path.status == LearningPath.Status.PUBLISHED and enrollment.user.is_active:
            with contextlib.suppress(ApplicationError):
                enrollment_create(course=course, user=enrollment.user, actor=actor)
    return step


@transaction.atomic
def path_course_remove(*, path: LearningPath, course: Course, actor: User) -> None:
    LearningPathCourse.objects.filter(path=path, course=course).delete()
    if path.status == LearningPath.Status.PUBLISHED and not LearningPathCourse.objects.filter(path=path).exists():
        path.status = LearningPath.Status.DRAFT
        path.save(update_fields=["status"])


@transaction.atomic
def path_course_move(*, path: LearningPath, course: Course, up: bool, actor: User) -> None:
    """Swap the course with the one before (`up`) or after it."""
    steps = list(LearningPathCourse.objects.select_for_update().filter(path=path).order_by("position", "id"))
    index = next((i for i, s in enumerate(steps) if s.course_id == course.pk), None)
    if index is None:
        return
    other = index - 1 if up else index + 1
    if not 0 <= other < len(steps):
        return
    steps[index], steps[other] = steps[other], steps[index]
    for position, step in enumerate(steps):
        if step.position != position:
            step.position = position
            step.save(update_fields=["position"])


@transaction.atomic
def path_courses_set(*, path: LearningPath, courses: list[Course], actor: User) -> None:
    """Make the path's courses exactly `courses`, in that order (the API's PUT)."""
    wanted = [c.pk for c in courses]
    for course in Course.objects.filter(path_steps__path=path).exclude(pk__in=wanted):
        path_course_remove(path=path, course=course, actor=actor)
    present = set(LearningPathCourse.objects.filter(path=path).values_list("course_id", flat=True))
    for course in courses:
        if course.pk not in present:
            path_course_add(path=path, course=course, actor=actor)
    steps = {s.course_id: s for s in LearningPathCourse.objects.select_for_update().filter(path=path)}
    for position, pk in enumerate(wanted):
        step = steps[pk]
        if step.position != position:
            step.position = position
            step.save(update_fields=["position"])


@transaction.atomic
def path_publish(*, path: LearningPath, actor: User) -> LearningPath:
    courses = list(Course.objects.filter(path_steps__path=path))
    if not courses:
        raise CourseNotReadyError(_("Add at least one course before publishing the learning path."))
    drafts = [c.title for c in courses if c.status != Course.Status.PUBLISHED]
    if drafts:
        raise CourseNotReadyError(_("Publish these courses first: %(titles)s.") % {"titles": ", ".join(drafts)})
    path.status = LearningPath.Status.PUBLISHED
    path.save(update_fields=["status"])
    audit_record(action="path.published", actor=actor, schema_name=connection.schema_name, target=path,
                 after={"slug": path.slug})
    return path


@transaction.atomic
def path_unpublish(*, path: LearningPath, actor: User) -> LearningPath:
    path.status = LearningPath.Status.DRAFT
    path.save(update_fields=["status"])
    return path


@transaction.atomic
def path_enrol(*, path: LearningPath, user: User, actor: User | None = None,
               cohort: Cohort | None = None) -> tuple[PathEnrollment, bool]:
    """Enrol `user` in the published path and in each of its courses (a learner enrolling alone is refused a SPOC
    they were not invited to, and then nothing is enrolled; staff enrolling them is not). Idempotent; issues the
    path's certificate at once when every course's certificate is already earned."""
    actor = actor or user
    if path.status != LearningPath.Status.PUBLISHED:
        raise EnrollmentRefusedError(_("This learning path is not published."))
    for course in Course.objects.filter(path_steps__path=path).order_by("path_steps__position", "path_steps__id"):
        enrollment_create(course=course, user=user, actor=actor)
    enrollment, created = PathEnrollment.objects.get_or_create(path=path, user=user, defaults={"cohort": cohort})
    path_certificates_issue_if_earned(user=user)
    return enrollment, created


@transaction.atomic
def cohort_path_enrol(*, cohort: Cohort, path: LearningPath, actor: User) -> tuple[CohortPath, int]:
    """Enrol every active member of the cohort in the path (and its courses); members added later too. Returns the
    cohort's enrolment and how many members were newly enrolled in the path."""
    if path.status != LearningPath.Status.PUBLISHED:
        raise EnrollmentRefusedError(_("This learning path is not published."))
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    cohort_path, _created = CohortPath.objects.get_or_create(cohort=cohort, path=path)
    made = 0
    for member in CohortMember.objects.filter(cohort=cohort, user__is_active=True).select_related("user"):
        _enrollment, created = path_enrol(path=path, user=member.user, actor=actor, cohort=cohort)
        made += created
    audit_record(action="cohort.path_enrolled", actor=actor, schema_name=connection.schema_name, target=cohort,
                 after={"path": path.slug, "enrolled": made})
    return cohort_path, made


def path_certificates_issue_if_earned(*, user: User, now: datetime | None = None) -> list[Certificate]:
    """Issue the certificate of each path `user` is enrolled in whose every course's certificate they hold
    (called after each course certificate and at enrolment). Returns the certificates issued now."""
    now = now or timezone.now()
    pending = list(PathEnrollment.objects.filter(user=user, completed_at__isnull=True,
                                                 path__status=LearningPath.Status.PUBLISHED).select_related("path"))
    if not pending:
        return []
    steps: dict[int, list[int]] = {}
    for path_id, course_id in LearningPathCourse.objects.filter(path_id__in=[e.path_id for e in pending]) \
            .values_list("path_id", "course_id"):
        steps.setdefault(path_id, []).append(course_id)
    scores = dict(Certificate.objects.filter(user=user, course__isnull=False).values_list("course_id", "score"))
    issued = []
    for enrollment in pending:
        course_ids = steps.get(enrollment.path_id, [])
        if not course_ids or any(c not in scores for c in course_ids):
            continue
        score = (sum((scores[c] for c in course_ids), Decimal("0")) / len(course_ids)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        path = enrollment.path
        enrollment.completed_at = now
        enrollment.save(update_fields=["completed_at"])
        if Certificate.objects.filter(path=path, user=user).exists():
            continue
        certificate = Certificate.objects.create(
            code=_certificate_code(), path=path, for_path=True, user=user, holder_name=user.public_name,
            course_title=path.title, organisation_name=branding_display_name(), score=score, issued_at=now)
        transaction.on_commit(lambda pk=certificate.pk, schema=connection.schema_name: _certificate_pdf_queue(
            schema_name=schema, certificate_id=pk))
        notify(users=[user], kind=Notification.Kind.CERTIFICATE, key=f"certificate:{certificate.pk}",
               params={"course": path.title}, url=reverse("my-certificates"), now=now)
        issued.append(certificate)
    return issued
