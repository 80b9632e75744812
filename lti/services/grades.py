"""Assignment and Grade Services: a submitted quiz sends the learner's score to the line item of each resource link
that placed the quiz (or its course) in an LMS, from a Celery task retried with backoff (lti.tasks)."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django_tenants.utils import schema_context
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from courses.models import Course, QuizAttempt
from courses.selectors.learning import course_score

from ..errors import LtiServiceError
from ..models import LtiResourceLink, LtiScore, LtiUserLink
from ..tool import registration_of, requests_session
from .platforms import tool_key_ensure

logger = logging.getLogger(__name__)

QUIZ_SUBMITTED = "quiz.submitted"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def _best_score(*, lesson_id: int, user_id: int) -> Decimal:
    best = (QuizAttempt.objects.filter(lesson_id=lesson_id, user_id=user_id, submitted_at__isnull=False)
            .aggregate(best=Max("score"))["best"])
    return best if best is not None else Decimal("0.00")


def lti_scores_record(*, lesson_id: int, course_id: int, user_id: int, now: datetime | None = None) -> list[LtiScore]:
    """A score to send for each resource link (with a line item and the score scope) placing the quiz `lesson_id`
    or its whole course, when the learner came from that link's platform: the quiz's best score, or the course
    score (SPEC R10's average of best quiz scores). Queued for the worker after the commit."""
    now = now or timezone.now()
    platforms = LtiUserLink.objects.filter(user_id=user_id).values_list("platform_id", flat=True)
    links = (LtiResourceLink.objects.filter(platform_id__in=platforms, course_id=course_id, platform__is_active=True)
             .filter(Q(lesson_id=lesson_id) | Q(lesson__isnull=True)).exclude(lineitem_url=""))
    scores = []
    for link in links:
        if SCORE_SCOPE not in link.ags_scopes:
            continue
        if link.lesson_id is not None:
            given = _best_score(lesson_id=lesson_id, user_id=user_id)
        else:
            from mooc_platform.accounts.models import User

            given = course_score(course=Course.objects.get(pk=course_id), user=User.objects.get(pk=user_id))
        scores.append(LtiScore.objects.create(resource_link=link, user_id=user_id, score_given=given, created_at=now))
    if scores:
        schema_name, ids = connection.schema_name, [s.pk for s in scores]
        transaction.on_commit(lambda: _queue(schema_name=schema_name, score_ids=ids))
    return scores


def _queue(*, schema_name: str, score_ids: list[int]) -> None:
    from ..tasks import lti_score_send

    for score_id in score_ids:
        lti_score_send.delay(schema_name=schema_name, score_id=score_id)


def lti_events_receive(*, events: list[Any]) -> int:
    """The sink of mooc_platform.events (settings.EVENT_SINKS): each submitted quiz records the scores to send.
    Returns how many were recorded."""
    recorded = 0
    for event in events:
        if event.event_type != QUIZ_SUBMITTED:
            continue
        with schema_context(event.schema_name):
            if not LtiResourceLink.objects.exists():
                continue
            data = event.data
            recorded += len(lti_scores_record(lesson_id=data["lesson_id"], course_id=data["course_id"],
                                              user_id=data["user"]["id"], now=event.occurred_at))
    return recorded


def lti_score_send(*, score_id: int, now: datetime | None = None) -> LtiScore | None:
    """Post one score to its line item (`…/scores`, application/vnd.ims.lis.v1.score+json), signing the token
    request with the organisation's key. Raises LtiServiceError when the platform refused or could not be reached
    (the task retries); the score's row says how many attempts were made and the last error."""
    now = now or timezone.now()
    score = LtiScore.objects.select_related("resource_link__platform").filter(pk=score_id).first()
    if score is None or score.status == LtiScore.Status.SENT:  # gone with its platform, or sent already
        return score
    link = score.resource_link
    sub = (LtiUserLink.objects.filter(platform=link.platform, user_id=score.user_id)
           .values_list("sub", flat=True).first())
    grade = (Grade().set_score_given(float(score.score_given)).set_score_maximum(float(score.score_maximum))
             .set_timestamp(score.created_at.isoformat()).set_activity_progress("Completed")
             .set_grading_progress("FullyGraded").set_user_id(sub or ""))
    registration = registration_of(platform=link.platform, key=tool_key_ensure())
    service = AssignmentsGradesService(ServiceConnector(registration, requests_session()),
                                       {"scope": link.ags_scopes, "lineitem": link.lineitem_url})
    score.attempts += 1
    try:
        service.put_grade(grade)
    except (LtiException, LtiServiceException, OSError) as exc:
        score.last_error = str(exc)[:500]
        score.save(update_fields=["attempts", "last_error"])
        raise LtiServiceError(score.last_error) from exc
    except Exception as exc:  # requests' errors and a platform's malformed answers alike: retried, logged
        score.last_error = f"{type(exc).__name__}: {exc}"[:500]
        score.save(update_fields=["attempts", "last_error"])
        raise LtiServiceError(score.last_error) from exc
    score.status, score.sent_at, score.last_error = LtiScore.Status.SENT, now, ""
    score.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return score


def lti_score_give_up(*, score_id: int) -> None:
    LtiScore.objects.filter(pk=score_id).exclude(status=LtiScore.Status.SENT).update(status=LtiScore.Status.FAILED)


def retry_delay_seconds(*, attempt: int) -> float:
    base = getattr(settings, "LTI_SCORE_RETRY_BASE_SECONDS", 30.0)
    return min(base * 2 ** max(attempt - 1, 0), 3600.0)
