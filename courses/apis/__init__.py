"""Tenant API (SPEC §4): thin views over services and selectors, one class per action."""

from .authoring import (
    ChoiceOutput,
    CourseDetailApi,
    CourseInput,
    CourseInvitationsApi,
    CourseListApi,
    CourseOutput,
    CoursePublishApi,
    CourseUnpublishApi,
    LessonCreateApi,
    LessonDetailApi,
    LessonInput,
    LessonMoveApi,
    LessonOutput,
    ModuleCreateApi,
    ModuleMoveApi,
    ModuleOutput,
    QuestionCreateApi,
    QuestionOutput,
)
from .branding import (
    BrandingApi,
)
from .certificates import (
    CertificateDownloadApi,
    CertificateListApi,
    CertificateOutput,
    CertificateVerifyApi,
)
from .common import (
    ID,
)
from .discussions import (
    PostHideApi,
    PostListCreateApi,
    PostOutput,
    PostReportApi,
    PostRestoreApi,
    ReportListApi,
    ThreadOutput,
)
from .learning import (
    CourseAnalyticsApi,
    EnrollmentDetailApi,
    EnrollmentListCreateApi,
    EnrollmentOutput,
    LessonCompleteApi,
    QuizAttemptStartApi,
    QuizAttemptSubmitApi,
)
from .media import (
    LessonMediaApi,
    UploadConfirmApi,
    UploadCreateApi,
)
from .people import (
    UserDeactivateApi,
    UserInvitationResendApi,
    UserListCreateApi,
    UserOutput,
    UserReactivateApi,
    UserRoleApi,
    UserSignOutEverywhereApi,
)
from .privacy import (
    MyAccountDeleteApi,
    MyDataExportApi,
)
from .user_import import (
    UserImportApi,
    import_report_data,
)

__all__ = [
    "ID",
    "BrandingApi",
    "CertificateDownloadApi",
    "CertificateListApi",
    "CertificateOutput",
    "CertificateVerifyApi",
    "ChoiceOutput",
    "CourseAnalyticsApi",
    "CourseDetailApi",
    "CourseInput",
    "CourseInvitationsApi",
    "CourseListApi",
    "CourseOutput",
    "CoursePublishApi",
    "CourseUnpublishApi",
    "EnrollmentDetailApi",
    "EnrollmentListCreateApi",
    "EnrollmentOutput",
    "LessonCompleteApi",
    "LessonCreateApi",
    "LessonDetailApi",
    "LessonInput",
    "LessonMediaApi",
    "LessonMoveApi",
    "LessonOutput",
    "ModuleCreateApi",
    "ModuleMoveApi",
    "ModuleOutput",
    "MyAccountDeleteApi",
    "MyDataExportApi",
    "PostHideApi",
    "PostListCreateApi",
    "PostOutput",
    "PostReportApi",
    "PostRestoreApi",
    "QuestionCreateApi",
    "QuestionOutput",
    "QuizAttemptStartApi",
    "QuizAttemptSubmitApi",
    "ReportListApi",
    "ThreadOutput",
    "UploadConfirmApi",
    "UploadCreateApi",
    "UserDeactivateApi",
    "UserImportApi",
    "UserInvitationResendApi",
    "UserListCreateApi",
    "UserOutput",
    "UserReactivateApi",
    "UserRoleApi",
    "UserSignOutEverywhereApi",
    "import_report_data",
]
