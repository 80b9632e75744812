"""One application error type and one API exception handler (STYLE 6).

Every API error leaves as `{"error": {"code", "message", "details"}}` with the right status."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Code:
    """The API error codes every app shares (the `code` of `{"error": {"code", "message", "details"}}`).

    Each app's `errors.Code` extends it with its own: the catalogue a client can rely on (STYLE 6)."""

    APPLICATION_ERROR = "application_error"
    AUTHENTICATION_FAILED = "authentication_failed"
    BAD_REQUEST = "bad_request"
    CONFLICT = "conflict"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    ERROR = "error"
    FORBIDDEN = "forbidden"
    INVALID_CHARACTERS = "invalid_characters"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_INPUT = "invalid_input"
    INVITATION_ACCEPTED = "invitation_accepted"  # an operator's re-send (tenants), an administrator's cancel (courses)
    INVITATION_INVALID = "invitation_invalid"  # mooc_platform.accounts
    LOGIN_THROTTLED = "login_throttled"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    NOT_AUTHENTICATED = "not_authenticated"
    NOT_FOUND = "not_found"
    PARSE_ERROR = "parse_error"
    REQUEST_TOO_LARGE = "request_too_large"
    SERVER_ERROR = "server_error"
    SSO_REQUIRED = "sso_required"  # the organisation signs in through its identity provider (integrations)
    THROTTLED = "throttled"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    VALIDATION_ERROR = "validation_error"


class ApplicationError(Exception):
    """A business rule said no. Subclasses set a stable `code` and an HTTP `status_code`."""

    code = Code.APPLICATION_ERROR
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code


class NotFoundError(ApplicationError):
    code = Code.NOT_FOUND
    status_code = status.HTTP_404_NOT_FOUND


class ForbiddenError(ApplicationError):
    code = Code.FORBIDDEN
    status_code = status.HTTP_403_FORBIDDEN


class ConflictError(ApplicationError):
    code = Code.CONFLICT
    status_code = status.HTTP_409_CONFLICT


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


_DRF_CODES = {
    exceptions.NotAuthenticated: Code.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: Code.AUTHENTICATION_FAILED,
    exceptions.PermissionDenied: Code.FORBIDDEN,
    exceptions.NotFound: Code.NOT_FOUND,
    exceptions.MethodNotAllowed: Code.METHOD_NOT_ALLOWED,
    exceptions.NotAcceptable: Code.NOT_ACCEPTABLE,
    exceptions.UnsupportedMediaType: Code.UNSUPPORTED_MEDIA_TYPE,
    exceptions.Throttled: Code.THROTTLED,
    exceptions.ParseError: Code.PARSE_ERROR,
    exceptions.ValidationError: Code.VALIDATION_ERROR,
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body(Code.VALIDATION_ERROR, "The data sent is not valid.", details), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for klass, c in _DRF_CODES.items() if isinstance(exc, klass)),
                getattr(exc, "default_code", Code.ERROR))
    if isinstance(exc, exceptions.ValidationError):
        details = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        message = "The data sent is not valid."
    else:
        details = {}
        message = str(getattr(exc, "detail", exc))
    response.data = error_body(code, message, details)
    return response
