"""The courses app's application errors: one stable `code` each (STYLE 6)."""

from rest_framework import status

from mooc_platform.accounts.errors import InvitationInvalidError  # noqa: F401 - one home, re-exported
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError
from mooc_platform.errors import Code as BaseCode


class Code(BaseCode):
    """The courses app's API error codes, with the shared ones of `mooc_platform.errors.Code`."""

    ACCESS_CLOSED = "access_closed"
    CONFIRMATION_REQUIRED = "confirmation_required"
    COURSE_NOT_READY = "course_not_ready"
    COURSE_SLUG_TAKEN = "course_slug_taken"
    CSV_INVALID = "csv_invalid"
    DUPLICATE = "duplicate"
    ENROLLMENT_REFUSED = "enrollment_refused"
    INVALID_EMAIL = "invalid_email"
    LAST_ADMINISTRATOR = "last_administrator"
    NOT_ENROLLED = "not_enrolled"
    QUIZ_ATTEMPT_SUBMITTED = "quiz_attempt_submitted"
    QUIZ_ATTEMPTS_EXHAUSTED = "quiz_attempts_exhausted"
    QUIZ_CLOSED = "quiz_closed"
    QUIZ_DEADLINE_IN_MAINTENANCE = "quiz_deadline_in_maintenance"
    QUIZ_DEADLINE_PASSED = "quiz_deadline_passed"
    QUIZ_NOT_SUBMITTED = "quiz_not_submitted"
    ROW_FAILED = "row_failed"
    SEAT_LIMIT_REACHED = "seat_limit_reached"
    STORAGE_QUOTA_EXCEEDED = "storage_quota_exceeded"
    UNKNOWN_LANGUAGE = "unknown_language"
    UNKNOWN_ROLE = "unknown_role"
    UNSUBSCRIBE_LINK_INVALID = "unsubscribe_link_invalid"
    UPLOAD_MISSING = "upload_missing"
    UPLOAD_REFUSED = "upload_refused"
    USER_EXISTS = "user_exists"
    WEAK_PASSWORD = "weak_password"


class SeatLimitReachedError(ApplicationError):
    code = Code.SEAT_LIMIT_REACHED
    status_code = status.HTTP_409_CONFLICT


class StorageQuotaExceededError(ApplicationError):
    code = Code.STORAGE_QUOTA_EXCEEDED
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class UploadRefusedError(ApplicationError):
    code = Code.UPLOAD_REFUSED


class NotificationUnsubscribeInvalidError(ApplicationError):
    """An unsubscribe link altered, cut, or made for another organisation (400)."""

    code = Code.UNSUBSCRIBE_LINK_INVALID


class EnrollmentRefusedError(ForbiddenError):
    code = Code.ENROLLMENT_REFUSED


class NotEnrolledError(ForbiddenError):
    code = Code.NOT_ENROLLED


class AccessClosedError(ForbiddenError):
    """The enrolment's access dates (a cohort's, issue 14 item 10) do not include today."""

    code = Code.ACCESS_CLOSED


class QuizClosedError(ApplicationError):
    code = Code.QUIZ_CLOSED
    status_code = status.HTTP_409_CONFLICT


class LastAdministratorError(ForbiddenError):
    """The change would leave the organisation without an active administrator (issue 9 item 9)."""

    code = Code.LAST_ADMINISTRATOR


class UserExistsError(ConflictError):
    code = Code.USER_EXISTS


class CourseNotReadyError(ApplicationError):
    code = Code.COURSE_NOT_READY


class QuizDeadlineInMaintenanceError(ApplicationError):
    code = Code.QUIZ_DEADLINE_IN_MAINTENANCE
