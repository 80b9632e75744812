"""Tenant API (SPEC §4): thin views over services and selectors, one class per action."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework.views import APIView

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


def _component_names_set() -> None:
    """Give every nested Input/Output serializer a unique OpenAPI component name
    (`CourseDetailOutput`, …): nested classes share their short names across views."""
    for view in list(globals().values()):
        if isinstance(view, type) and issubclass(view, APIView):
            for attr in ("InputSerializer", "OutputSerializer", "UpdateSerializer"):
                serializer = view.__dict__.get(attr)
                if serializer is not None:
                    name = view.__name__.removesuffix("Api") + attr.removesuffix("Serializer")
                    extend_schema_serializer(component_name=name)(serializer)


_component_names_set()

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
