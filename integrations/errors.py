"""Error codes of the integrations app (webhooks, API keys)."""

from rest_framework import status

from mooc_platform.errors import ApplicationError
from mooc_platform.errors import Code as BaseCode


class Code(BaseCode):
    WEBHOOK_URL_INVALID = "webhook_url_invalid"
    WEBHOOK_EVENTS_INVALID = "webhook_events_invalid"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint_disabled"
    API_KEY_SCOPES_INVALID = "api_key_scopes_invalid"
    API_KEY_EXPIRY_INVALID = "api_key_expiry_invalid"
    API_KEY_REVOKED = "api_key_revoked"
    API_KEY_SCOPE_MISSING = "api_key_scope_missing"
    API_KEY_RATE_LIMITED = "api_key_rate_limited"


class WebhookUrlError(ApplicationError):
    code = Code.WEBHOOK_URL_INVALID


class WebhookEventsError(ApplicationError):
    code = Code.WEBHOOK_EVENTS_INVALID


class ApiKeyScopeMissingError(ApplicationError):
    code = Code.API_KEY_SCOPE_MISSING
    status_code = status.HTTP_403_FORBIDDEN
