"""Learner records as xAPI 1.0.3 statements to the organisation's Learning Record Store (issue 17 item 5).

The LRS is configured per tenant (`LrsConfig`, in the tenant schema; its secret is never shown back). The
business events of `mooc_platform.events` (the same ones the webhooks hear, catalogued in
`integrations.events`) become statements here (`xapi_events_receive`, a sink of settings.EVENT_SINKS):

| event                | verb (ADL / TinCan registry)                  | object          |
| ---                  | ---                                           | ---             |
| enrollment.created   | registered                                    | the course      |
| lesson.completed     | completed                                     | the lesson      |
| quiz.submitted       | answered, then passed or failed (with score)  | the quiz        |
| course.completed     | completed                                     | the course      |
| certificate.issued   | earned                                        | the course      |

The actor is an account (`homePage` = the organisation's URL, `name` = the user's id), never an e-mail: the LRS
learns no personal data it does not need. Each statement is sent by a Celery task with `PUT
/statements?statementId=<id>`, so a retry after a lost answer cannot store it twice; a 5XX or no answer is retried
with backoff for XAPI_RETRY_HOURS; a 4XX (bad credentials, a wrong endpoint) is not retried and its reason is
kept for the administrators' page and the API."""

from __future__ import annotations

import base64
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record

from ..errors import LrsConfigError, WebhookUrlError
from ..events import (
    CERTIFICATE_ISSUED,
    COURSE_COMPLETED,
    ENROLLMENT_CREATED,
    LESSON_COMPLETED,
    QUIZ_SUBMITTED,
)
from ..models import LrsConfig, XapiStatement
from .webhooks import outbound_send, webhook_url_check

logger = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
VERBS = {
    "registered": "http://adlnet.gov/expapi/verbs/registered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "earned": "http://id.tincanapi.com/verb/earned",
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
}
XAPI_EVENTS = {ENROLLMENT_CREATED, LESSON_COMPLETED, QUIZ_SUBMITTED, COURSE_COMPLETED, CERTIFICATE_ISSUED}


# --- Configuration ------------------------------------------------------------------------------------------


def lrs_config_get() -> LrsConfig | None:
    return LrsConfig.objects.first()


def _endpoint_check(endpoint: str) -> str:
    try:
        endpoint = webhook_url_check(url=endpoint)
    except WebhookUrlError as error:
        raise LrsConfigError(error.message, details={"endpoint": [error.message]}) from error
    if "?" in endpoint or "#" in endpoint:
        message = _("Enter the LRS endpoint without a query string, e.g. https://lrs.example.com/xapi/.")
        raise LrsConfigError(message, details={"endpoint": [message]})
    return endpoint.rstrip("/") + "/"


@transaction.atomic
def lrs_config_save(*, endpoint: str, key: str, secret: str | None, is_active: bool, actor: User) -> LrsConfig:
    """Create or replace the organisation's LRS settings. `secret` None or empty keeps the stored one (the
    page never shows it back); a first configuration needs one."""
    config = LrsConfig.objects.select_for_update().first()
    key = (key or "").strip()
    secret = (secret or "").strip()
    errors: dict[str, list[str]] = {}
    if not key:
        errors["key"] = [_("Enter the LRS key (the user name of its Basic authentication).")]
    if ":" in key:
        errors["key"] = [_("The key cannot contain a colon.")]
    if not secret and (config is None or not config.secret):
        errors["secret"] = [_("Enter the LRS secret.")]
    try:
        endpoint = _endpoint_check(endpoint)
    except LrsConfigError as error:
        errors.update(error.details)
    if errors:
        first = next(iter(errors.values()))[0]
        raise LrsConfigError(first, details=errors)
    before = None if config is None else {"endpoint": config.endpoint, "key": config.key,
                                          "is_active": config.is_active}
    if config is None:
        config = LrsConfig(endpoint=endpoint, key=key, secret=secret)
    config.endpoint, config.key, config.is_active = endpoint, key, is_active
    if secret:
        config.secret = secret
    config.updated_by, config.updated_at = actor, timezone.now()
    config.save()
    audit_record(action="xapi.lrs_configured", actor=actor, schema_name=connection.schema_name, target=config,
                 before=before, after={"endpoint": config.endpoint, "key": config.key, "is_active": is_active,
                                       "secret_changed": bool(secret)})
    return config


@transaction.atomic
def lrs_config_delete(*, actor: User) -> bool:
    """Forget the LRS (statements not sent yet are dropped). Returns whether there was one."""
    config = LrsConfig.objects.first()
    if config is None:
        return False
    audit_record(action="xapi.lrs_removed", actor=actor, schema_name=connection.schema_name, target=config,
                 before={"endpoint": config.endpoint, "key": config.key})
    config.delete()
    XapiStatement.objects.filter(status=XapiStatement.Status.PENDING).delete()
    return True


# --- Statements ---------------------------------------------------------------------------------------------


def tenant_home_page(*, schema_name: str) -> str:
    """The organisation's URL (`https://acme.example.com`), the `homePage` of every actor's account."""
    host = import_string(settings.TENANT_HOST_READER)(schema_name=schema_name) or f"{schema_name}.invalid"
    port = f":{settings.PLATFORM_URL_PORT}" if settings.PLATFORM_URL_PORT and ":" not in host else ""
    return f"{settings.PLATFORM_URL_SCHEME}://{host}{port}"


def _actor(*, home_page: str, user_id: int) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": str(user_id)}}


def _activity(*, activity_id: str, kind: str, name: str, language: str) -> dict[str, Any]:
    return {"objectType": "Activity", "id": activity_id,
            "definition": {"type": ACTIVITY_TYPES[kind], "name": {language: name}}}


def _statement(*, verb: str, actor: dict[str, Any], obj: dict[str, Any], timestamp: str, language: str,
               result: dict[str, Any] | None = None, parent: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "actor": actor,
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "timestamp": timestamp,
        "context": {"platform": "MOOC Platform", "language": language},
    }
    if parent is not None:
        statement["context"]["contextActivities"] = {"parent": [parent]}
    if result is not None:
        statement["result"] = result
    return statement


def _score(percent: str) -> dict[str, Any]:
    value = float(percent)  # a JSON number for the LRS (a score is not money)
    return {"scaled": round(value / 100, 4), "raw": value, "min": 0, "max": 100}


def xapi_statements_for(*, event_type: str, data: dict[str, Any], occurred_at: datetime,
                        home_page: str) -> list[tuple[str, dict[str, Any]]]:
    """The statements (verb, statement without id) an event becomes, in the current tenant schema; [] when the
    course or lesson is gone."""
    from courses.models import Course, Lesson

    user_id = (data.get("user") or {}).get("id")
    course = Course.objects.filter(pk=data.get("course_id")).only("slug", "title", "language").first()
    if user_id is None or course is None:
        return []
    language = course.language or "en"
    actor = _actor(home_page=home_page, user_id=user_id)
    course_activity = _activity(activity_id=f"{home_page}/courses/{course.slug}/", kind="course",
                                name=course.title, language=language)
    timestamp = occurred_at.isoformat()
    common = {"actor": actor, "timestamp": timestamp, "language": language}
    if event_type == ENROLLMENT_CREATED:
        return [("registered", _statement(verb="registered", obj=course_activity, **common))]
    if event_type == COURSE_COMPLETED:
        return [("completed", _statement(verb="completed", obj=course_activity,
                                         result={"completion": True}, **common))]
    if event_type == CERTIFICATE_ISSUED:
        result = {"completion": True, "success": True, "score": _score(data["score"]),
                  "extensions": {f"{home_page}/xapi/extensions/certificate-code": data["code"]}}
        return [("earned", _statement(verb="earned", obj=course_activity, result=result, **common))]
    lesson = Lesson.objects.filter(pk=data.get("lesson_id")).only("title", "kind").first()
    if lesson is None:
        return []
    kind = "assessment" if lesson.kind == Lesson.Kind.QUIZ else "lesson"
    lesson_activity = _activity(activity_id=f"{home_page}/courses/{course.slug}/lessons/{lesson.pk}/", kind=kind,
                                name=lesson.title, language=language)
    if event_type == LESSON_COMPLETED:
        return [("completed", _statement(verb="completed", obj=lesson_activity, parent=course_activity,
                                         result={"completion": True}, **common))]
    if event_type == QUIZ_SUBMITTED:
        score = _score(data["score"])
        verdict = "passed" if data["passed"] else "failed"
        return [
            ("answered", _statement(verb="answered", obj=lesson_activity, parent=course_activity,
                                    result={"score": score, "completion": True}, **common)),
            (verdict, _statement(verb=verdict, obj=lesson_activity, parent=course_activity,
                                 result={"score": score, "success": bool(data["passed"]), "completion": True},
                                 **common)),
        ]
    return []


def _statements_queue(*, schema_name: str, statement_ids: list[int]) -> None:
    from ..tasks import xapi_statement_send

    for statement_id in statement_ids:
        try:
            xapi_statement_send.apply_async(kwargs={"schema_name": schema_name, "statement_id": statement_id})
        except Exception:  # broker down: the statement stays pending, visible on the page
            logger.warning("xAPI statement %s of %s not queued", statement_id, schema_name, exc_info=True)


def xapi_events_receive(*, events: list[Any]) -> int:
    """The sink of mooc_platform.events (settings.EVENT_SINKS): in each tenant whose LRS is configured and
    active, record the statements of its learner events and queue them after the commit. Returns how many
    statements were recorded."""
    events = [e for e in events if e.event_type in XAPI_EVENTS]
    recorded = 0
    for schema_name in sorted({e.schema_name for e in events}):
        with schema_context(schema_name):
            if not LrsConfig.objects.filter(is_active=True).exists():
                continue
            home_page = tenant_home_page(schema_name=schema_name)
            with transaction.atomic():
                ids = []
                for event in events:
                    if event.schema_name != schema_name:
                        continue
                    for verb, statement in xapi_statements_for(event_type=event.event_type, data=event.data,
                                                               occurred_at=event.occurred_at, home_page=home_page):
                        row = XapiStatement.objects.create(verb=verb, event_type=event.event_type,
                                                           statement=statement, created_at=event.occurred_at)
                        ids.append(row.pk)
                transaction.on_commit(lambda s=schema_name, i=ids: _statements_queue(schema_name=s, statement_ids=i))
            recorded += len(ids)
    return recorded


def xapi_statement_body(*, statement: XapiStatement) -> dict[str, Any]:
    return {"id": str(statement.statement_id), **statement.statement}


def retry_delay(*, attempts: int) -> timedelta:
    """Exponential backoff: base × 2^(n−1) after the n-th failed attempt, capped."""
    seconds = settings.XAPI_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.XAPI_RETRY_MAX_SECONDS))


def _refusal_reason(status: int, excerpt: str) -> str:
    if status in (401, 403):
        reason = _("The LRS refused the key and secret (HTTP %(status)s): check them on the xAPI page.")
    elif status == 404:
        reason = _("The LRS has no statements resource at this endpoint (HTTP %(status)s): check the endpoint "
                   "URL (it usually ends in /xapi/).")
    else:
        reason = _("The LRS refused the statement (HTTP %(status)s).")
    reason = reason % {"status": status}
    return (f"{reason} {excerpt}" if excerpt else reason)[:300]


def xapi_error_text(*, statement: XapiStatement) -> str:
    """The reason of the last failed attempt in the active language (the stored one is English)."""
    status = statement.last_status_code
    if not statement.last_error:
        return ""
    if status is not None and 400 <= status < 500 and statement.status == XapiStatement.Status.FAILED:
        return _refusal_reason(status, "")
    if status is not None and not (200 <= status < 300):
        return _("The LRS answered HTTP %(status)s.") % {"status": status}
    if statement.last_error == "No active LRS is configured.":
        return _("No active LRS is configured.")
    return statement.last_error  # a network error, as the system reported it


def xapi_statement_attempt(*, statement_id: int, now: datetime | None = None) -> timedelta | None:
    """Send a pending statement once. Returns the delay before the next attempt, or None when it is over: sent,
    refused by the LRS (4XX, not retried: the reason is kept), no LRS any more, or given up after
    XAPI_RETRY_HOURS."""
    now = now or timezone.now()
    # The reason is stored in English (the API's language); the page shows it in the reader's (xapi_error_text).
    with transaction.atomic(), translation.override("en"):
        statement = XapiStatement.objects.select_for_update().filter(pk=statement_id).first()
        if statement is None or statement.status != XapiStatement.Status.PENDING:
            return None
        config = LrsConfig.objects.first()
        if config is None or not config.is_active:
            statement.status, statement.next_attempt_at = XapiStatement.Status.FAILED, None
            statement.last_error = _("No active LRS is configured.")
            statement.save(update_fields=["status", "next_attempt_at", "last_error"])
            return None
        credentials = base64.b64encode(f"{config.key}:{config.secret}".encode()).decode()
        headers = {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION,
                   "Authorization": f"Basic {credentials}", "User-Agent": "MOOC-Platform-xAPI/1.0"}
        body = json.dumps(xapi_statement_body(statement=statement), separators=(",", ":")).encode()
        url = f"{config.endpoint}statements?statementId={statement.statement_id}"
        status, excerpt, error = outbound_send(url=url, body=body, headers=headers, method="PUT",
                                               timeout=settings.XAPI_TIMEOUT_SECONDS)
        statement.attempts_count += 1
        statement.last_status_code = status
        delay = None
        # 409: the LRS already holds a statement of this id (an earlier attempt whose answer was lost).
        if status is not None and (200 <= status < 300 or status == 409):
            statement.status, statement.sent_at, statement.last_error = XapiStatement.Status.SENT, now, ""
        elif status is not None and 400 <= status < 500 and status not in (408, 429):
            statement.status = XapiStatement.Status.FAILED
            statement.last_error = _refusal_reason(status, excerpt)
        else:
            statement.last_error = (error or _("The LRS answered HTTP %(status)s.") % {"status": status})[:300]
            delay = retry_delay(attempts=statement.attempts_count)
            if now + delay > statement.created_at + timedelta(hours=settings.XAPI_RETRY_HOURS):
                statement.status, delay = XapiStatement.Status.FAILED, None
        statement.next_attempt_at = now + delay if delay is not None else None
        statement.save()
        return delay


@transaction.atomic
def xapi_statements_retry(*, actor: User) -> int:
    """Send the failed statements again (after the administrator fixed the configuration). Returns how many."""
    rows = list(XapiStatement.objects.select_for_update().filter(status=XapiStatement.Status.FAILED)
                .values_list("pk", flat=True))
    if rows:
        XapiStatement.objects.filter(pk__in=rows).update(status=XapiStatement.Status.PENDING, created_at=timezone.now(),
                                                         next_attempt_at=None)
        audit_record(action="xapi.statements_retried", actor=actor, schema_name=connection.schema_name,
                     after={"count": len(rows)})
        schema_name = connection.schema_name
        transaction.on_commit(lambda: _statements_queue(schema_name=schema_name, statement_ids=rows))
    return len(rows)
