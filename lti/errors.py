"""Error codes of the LTI tool. Launch errors are shown to the person in the LMS's frame, never as a 500."""

from rest_framework import status

from mooc_platform.errors import ApplicationError
from mooc_platform.errors import Code as BaseCode


class Code(BaseCode):
    LTI_PLATFORM_INVALID = "lti_platform_invalid"
    LTI_PLATFORM_EXISTS = "lti_platform_exists"
    LTI_LAUNCH_INVALID = "lti_launch_invalid"
    LTI_LAUNCH_UNKNOWN_PLATFORM = "lti_launch_unknown_platform"
    LTI_LAUNCH_UNKNOWN_DEPLOYMENT = "lti_launch_unknown_deployment"
    LTI_LAUNCH_REPLAYED = "lti_launch_replayed"
    LTI_LAUNCH_EXPIRED = "lti_launch_expired"
    LTI_LAUNCH_TARGET_UNKNOWN = "lti_launch_target_unknown"
    LTI_LAUNCH_USER_INACTIVE = "lti_launch_user_inactive"
    LTI_SERVICE_FAILED = "lti_service_failed"


class LtiPlatformError(ApplicationError):
    code = Code.LTI_PLATFORM_INVALID


class LtiLaunchError(ApplicationError):
    """A launch that cannot open: bad, expired or replayed id_token, unknown platform, deployment or resource."""

    code = Code.LTI_LAUNCH_INVALID
    status_code = status.HTTP_400_BAD_REQUEST


class LtiServiceError(ApplicationError):
    code = Code.LTI_SERVICE_FAILED
    status_code = status.HTTP_502_BAD_GATEWAY
