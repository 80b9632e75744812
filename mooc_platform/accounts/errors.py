"""The accounts' application errors: one stable `code` each (STYLE 6), from mooc_platform.errors.Code."""

from mooc_platform.errors import ApplicationError, Code


class InvitationInvalidError(ApplicationError):
    code = Code.INVITATION_INVALID
