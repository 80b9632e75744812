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
    SSO_CONFIGURATION_INVALID = "sso_configuration_invalid"
    SSO_FAILED = "sso_failed"
    SSO_USER_UNKNOWN = "sso_user_unknown"
    LRS_CONFIG_INVALID = "lrs_config_invalid"
    LRS_NOT_CONFIGURED = "lrs_not_configured"


class WebhookUrlError(ApplicationError):
    code = Code.WEBHOOK_URL_INVALID


class WebhookEventsError(ApplicationError):
    code = Code.WEBHOOK_EVENTS_INVALID


class ApiKeyScopeMissingError(ApplicationError):
    code = Code.API_KEY_SCOPE_MISSING
    status_code = status.HTTP_403_FORBIDDEN


class SsoConfigurationError(ApplicationError):
    code = Code.SSO_CONFIGURATION_INVALID


class SsoFailedError(ApplicationError):
    """A sign-in through an identity provider did not succeed; `reason` says which check refused it."""

    code = Code.SSO_FAILED
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, reason: str, details: dict | None = None, code: str | None = None,
                 status_code: int | None = None) -> None:
        super().__init__(message, details={"reason": reason, **(details or {})}, code=code)
        self.reason = reason
        if status_code is not None:
            self.status_code = status_code


class LrsConfigError(ApplicationError):
    code = Code.LRS_CONFIG_INVALID
