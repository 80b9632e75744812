"""Enrolment, progress and quizzes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError, NotFoundError
from mooc_platform.events import event_emit, user_event_data

from ..errors import AccessClosedError, EnrollmentRefusedError, NotEnrolledError, QuizClosedError
from ..models import (
    Certificate,
    Course,
    CourseInvitation,
    Enrollment,
    Lesson,
    LessonCompletion,
    Notification,
    QuizAttempt,
)
from ..selectors.access import enrollment_access_state
from ..selectors.learning import quiz_attempt_expiry_effective, quiz_deadline_effective
from .certificates import certificate_issue_if_earned
from .notifications import notify
from .quizzes import answers_clean, quiz_draw, quiz_grade


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
    CourseInvitation.objects.bulk_create([CourseInvitation(course=course, email=e) for e in sorted(clean - existing)],
                                         ignore_conflicts=True)  # the same e-mail invited concurrently
    return len(clean - existing)


@transaction.atomic
def enrollment_create(*, course: Course, user: User, actor: User | None = None) -> tuple[Enrollment, bool]:
    """Self-enrolment in a published MOOC; a SPOC admits invited e-mails, or users enrolled by an
    instructor or administrator. Idempotent: returns (enrolment, created)."""
    actor = actor or user
    existing = Enrollment.objects.filter(course=course, user=user).first()
    if existing is not None:
        return existing, False
    by_staff = actor.is_course_staff and actor.pk != user.pk
    if course.status != Course.Status.PUBLISHED and not by_staff:
        raise EnrollmentRefusedError(_("This course is not published."))
    if (course.visibility == Course.Visibility.SPOC and not by_staff
            and not CourseInvitation.objects.filter(course=course, email=user.email).exists()):
        raise EnrollmentRefusedError(_("This course is open by invitation only (SPOC)."))
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(course=course, user=user)
    except IntegrityError:  # enrolled by a concurrent request meanwhile: same answer as a repeat
        return Enrollment.objects.get(course=course, user=user), False
    event_emit(event_type="enrollment.created", data={"enrollment_id": enrollment.pk, "course_id": course.pk,
                                                      "course_title": course.title, "user": user_event_data(user)})
    notify(users=[user], kind=Notification.Kind.ENROLMENT, key=f"enrollment:{enrollment.pk}",
           params={"course": course.title}, url=reverse("course", args=[course.slug]))
    return enrollment, True


def enrollment_for(*, course: Course, user: User) -> Enrollment:
    enrollment = Enrollment.objects.filter(course=course, user=user).first()
    if enrollment is None:
        raise NotEnrolledError(_("Enrol in the course first."))
    state = enrollment_access_state(enrollment=enrollment)  # a cohort's access dates (issue 14 item 10)
    if state == "not_started":
        raise AccessClosedError(_("Your access to this course opens on %(day)s.")
                                % {"day": date_format(enrollment.access_starts_on, "DATE_FORMAT")})
    if state == "ended":
        raise AccessClosedError(_("Your access to this course ended on %(day)s.")
                                % {"day": date_format(enrollment.access_ends_on, "DATE_FORMAT")})
    return enrollment


def _completion_record(*, enrollment: Enrollment, lesson: Lesson, now: datetime) -> Certificate | None:
    _completion, created = LessonCompletion.objects.get_or_create(enrollment=enrollment, lesson=lesson,
                                                        defaults={"completed_at": now})
    user = User.objects.get(pk=enrollment.user_id) if created else None
    if user is not None:
        event_emit(event_type="lesson.completed", data={
            "lesson_id": lesson.pk, "lesson_title": lesson.title, "course_id": enrollment.course_id,
            "user": user_event_data(user)})
    total = Lesson.objects.filter(module__course_id=enrollment.course_id).count()
    done = LessonCompletion.objects.filter(enrollment=enrollment, lesson__deleted_at__isnull=True,
                                           lesson__module__deleted_at__isnull=True).count()
    if done >= total and enrollment.completed_at is None:
        enrollment.completed_at = now
        enrollment.save(update_fields=["completed_at"])
        course = Course.objects.only("title").get(pk=enrollment.course_id)
        event_emit(event_type="course.completed", data={
            "enrollment_id": enrollment.pk, "course_id": enrollment.course_id, "course_title": course.title,
            "completed_at": now.isoformat(), "user": user_event_data(user or User.objects.get(pk=enrollment.user_id))})
    certificate = certificate_issue_if_earned(enrollment=enrollment, now=now)
    if certificate is not None:  # the last course of a learning path may earn the path's certificate too
        from .paths import path_certificates_issue_if_earned

        path_certificates_issue_if_earned(user=User.objects.get(pk=enrollment.user_id), now=now)
    return certificate


@transaction.atomic
def lesson_complete(*, lesson: Lesson, user: User, now: datetime | None = None) -> Certificate | None:
    """Mark a text, video or file lesson done (quizzes are completed by submitting an attempt).
    Returns the certificate when this completion earned it."""
    now = now or timezone.now()
    enrollment = enrollment_for(course=lesson.module.course, user=user)
    if lesson.kind == Lesson.Kind.QUIZ:
        raise ApplicationError(_("A quiz is completed by submitting an attempt."), code=Code.QUIZ_NOT_SUBMITTED)
    if lesson.kind == Lesson.Kind.SCORM:
        raise ApplicationError(_("A SCORM lesson is completed by its package, once it says so."),
                               code=Code.VALIDATION_ERROR)
    return _completion_record(enrollment=enrollment, lesson=lesson, now=now)


@transaction.atomic
def quiz_attempt_start(*, lesson: Lesson, user: User, now: datetime | None = None) -> QuizAttempt:
    """Open an attempt (or return the one still open). Refused past the deadline or the attempts limit."""
    now = now or timezone.now()
    if lesson.kind != Lesson.Kind.QUIZ:
        raise NotFoundError(_("This lesson is not a quiz."))
    enrollment = enrollment_for(course=lesson.module.course, user=user)
    # Concurrent starts by the same learner queue on the enrolment row, so the second one sees the
    # attempt the first opened and returns it instead of numbering a duplicate.
    Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
    deadline = quiz_deadline_effective(lesson=lesson)  # moved by the maintenance it falls into (GCS art. 8)
    if deadline and now > deadline:
        raise QuizClosedError(_("The deadline of this quiz has passed."), code=Code.QUIZ_DEADLINE_PASSED)
    attempts = list(QuizAttempt.objects.select_for_update().filter(lesson=lesson, user=user))
    for attempt in attempts:
        expires = quiz_attempt_expiry_effective(attempt=attempt)
        if attempt.submitted_at is None and (expires is None or expires > now):
            return attempt
    if lesson.max_attempts and len(attempts) >= lesson.max_attempts:
        raise QuizClosedError(_("You have used your %(count)s attempts.") % {"count": lesson.max_attempts},
                              code=Code.QUIZ_ATTEMPTS_EXHAUSTED)
    expires = now + timedelta(minutes=lesson.time_limit_minutes) if lesson.time_limit_minutes else None
    # A deadline still ahead is kept as set: maintenance before it is counted from the attempt's start at
    # submission. One already passed but moved by a window is the moved one (nothing before now to count).
    deadline_for_attempt = deadline if lesson.deadline and lesson.deadline < now else lesson.deadline
    if deadline_for_attempt and (expires is None or expires > deadline_for_attempt):
        expires = deadline_for_attempt
    return QuizAttempt.objects.create(lesson=lesson, user=user, number=len(attempts) + 1, started_at=now,
                                      expires_at=expires, question_ids=quiz_draw(lesson=lesson))


# Network latency between the last click and the server.
SUBMIT_GRACE = timedelta(seconds=30)


@transaction.atomic
def quiz_attempt_submit(*, attempt: QuizAttempt, user: User, answers: dict[str, Any],
                        now: datetime | None = None) -> QuizAttempt:
    """Grade and close the attempt, complete the quiz lesson, and issue the certificate when earned.
    An attempt submitted after its time limit or the deadline scores 0; the clock stops during maintenance
    (`courses.selectors.learning.quiz_attempt_expiry_effective`)."""
    now = now or timezone.now()
    attempt = QuizAttempt.objects.select_for_update().select_related("lesson__module__course").get(pk=attempt.pk)
    if attempt.user_id != user.pk:
        raise NotFoundError(_("No such attempt."))
    if attempt.submitted_at is not None:
        raise QuizClosedError(_("This attempt was already submitted."), code=Code.QUIZ_ATTEMPT_SUBMITTED)
    # The time lost to a maintenance window during the attempt is given back (GCS art. 8, issue 9 item 6).
    expires = quiz_attempt_expiry_effective(attempt=attempt)
    late = expires is not None and now > expires + SUBMIT_GRACE
    attempt.answers = answers_clean(answers=answers)
    attempt.score = Decimal("0.00") if late else quiz_grade(lesson=attempt.lesson, answers=attempt.answers,
                                                                   question_ids=attempt.question_ids)
    attempt.submitted_at = now
    attempt.save(update_fields=["answers", "score", "submitted_at"])
    course = attempt.lesson.module.course
    enrollment = enrollment_for(course=course, user=user)
    event_emit(event_type="quiz.submitted", data={
        "attempt_id": attempt.pk, "attempt_number": attempt.number, "lesson_id": attempt.lesson_id,
        "lesson_title": attempt.lesson.title, "course_id": course.pk, "score": str(attempt.score),
        "pass_mark": str(course.pass_mark), "passed": attempt.score >= course.pass_mark,
        "submitted_at": now.isoformat(), "user": user_event_data(user)})
    _completion_record(enrollment=enrollment, lesson=attempt.lesson, now=now)
    return attempt
