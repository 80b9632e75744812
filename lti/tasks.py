"""Thin Celery tasks of the LTI tool: schema name and ids in, a service call, retries here (STYLE 5)."""

from django.conf import settings
from django_tenants.utils import schema_context

from mooc_platform.celery import app


@app.task(bind=True, name="lti.score_send", acks_late=True)
def lti_score_send(self, *, schema_name: str, score_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Send one score to the LMS; a failure is retried with exponential backoff (settings.LTI_SCORE_MAX_RETRIES),
    after which the score is marked failed. Returns whether it was sent."""
    from .errors import LtiServiceError
    from .services import grades

    with schema_context(schema_name):
        try:
            grades.lti_score_send(score_id=score_id)
        except LtiServiceError as exc:
            if self.request.retries >= getattr(settings, "LTI_SCORE_MAX_RETRIES", 8):
                grades.lti_score_give_up(score_id=score_id)
                return False
            raise self.retry(exc=exc, countdown=grades.retry_delay_seconds(attempt=self.request.retries + 1)) \
                from exc
    return True
