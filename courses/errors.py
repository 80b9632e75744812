"""The courses app's application errors: one stable `code` each (STYLE 6)."""

from rest_framework import status

from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError


class SeatLimitReachedError(ApplicationError):
    code = "seat_limit_reached"
    status_code = status.HTTP_409_CONFLICT


class StorageQuotaExceededError(ApplicationError):
    code = "storage_quota_exceeded"
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class UploadRefusedError(ApplicationError):
    code = "upload_refused"


class EnrollmentRefusedError(ForbiddenError):
    code = "enrollment_refused"


class NotEnrolledError(ForbiddenError):
    code = "not_enrolled"


class QuizClosedError(ApplicationError):
    code = "quiz_closed"
    status_code = status.HTTP_409_CONFLICT


class InvitationInvalidError(ApplicationError):
    code = "invitation_invalid"


class UserExistsError(ConflictError):
    code = "user_exists"


class CourseNotReadyError(ApplicationError):
    code = "course_not_ready"


class QuizDeadlineInMaintenanceError(ApplicationError):
    code = "quiz_deadline_in_maintenance"
