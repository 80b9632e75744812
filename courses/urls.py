from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from mooc_platform.accounts.forms import PasswordResetForm
from mooc_platform.views import PasswordResetConfirmView, PasswordResetView

from . import apis, views
from .apis import cohorts as cohort_apis
from .views import cohorts as cohort_views
from .views import paths as path_views


class IdConverter:
    """An id that fits PostgreSQL's bigint (a longer number would make the query fail, not 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

api = [
    path("api/v1/courses/", apis.CourseListApi.as_view(), name="api-course-list"),
    path("api/v1/courses/<id:pk>/", apis.CourseDetailApi.as_view(), name="api-course-detail"),
    path("api/v1/courses/<id:pk>/publish/", apis.CoursePublishApi.as_view(), name="api-course-publish"),
    path("api/v1/courses/<id:pk>/unpublish/", apis.CourseUnpublishApi.as_view(), name="api-course-unpublish"),
    path("api/v1/courses/<id:pk>/invitations/", apis.CourseInvitationsApi.as_view(), name="api-course-invitations"),
    path("api/v1/courses/<id:pk>/modules/", apis.ModuleCreateApi.as_view(), name="api-module-create"),
    path("api/v1/courses/<id:pk>/posts/", apis.PostListCreateApi.as_view(), name="api-post-list"),
    path("api/v1/courses/<id:pk>/analytics/", apis.CourseAnalyticsApi.as_view(), name="api-course-analytics"),
    path("api/v1/modules/<id:pk>/lessons/", apis.LessonCreateApi.as_view(), name="api-lesson-create"),
    path("api/v1/modules/<id:pk>/move/", apis.ModuleMoveApi.as_view(), name="api-module-move"),
    path("api/v1/modules/<id:pk>/", apis.ModuleDetailApi.as_view(), name="api-module-detail"),
    path("api/v1/modules/<id:pk>/restore/", apis.ModuleRestoreApi.as_view(), name="api-module-restore"),
    path("api/v1/modules/<id:pk>/lesson-order/", apis.LessonOrderApi.as_view(), name="api-lesson-order"),
    path("api/v1/courses/<id:pk>/module-order/", apis.ModuleOrderApi.as_view(), name="api-module-order"),
    path("api/v1/courses/<id:pk>/duplicate/", apis.CourseDuplicateApi.as_view(), name="api-course-duplicate"),
    path("api/v1/lessons/preview/", apis.MarkdownPreviewApi.as_view(), name="api-markdown-preview"),
    path("api/v1/lessons/<id:pk>/restore/", apis.LessonRestoreApi.as_view(), name="api-lesson-restore"),
    path("api/v1/lessons/<id:pk>/move/", apis.LessonMoveApi.as_view(), name="api-lesson-move"),
    path("api/v1/lessons/<id:pk>/", apis.LessonDetailApi.as_view(), name="api-lesson-detail"),
    path("api/v1/lessons/<id:pk>/media/", apis.LessonMediaApi.as_view(), name="api-lesson-media"),
    path("api/v1/lessons/<id:pk>/scorm/", apis.ScormPackageApi.as_view(), name="api-lesson-scorm"),
    path("api/v1/lessons/<id:pk>/questions/", apis.QuestionCreateApi.as_view(), name="api-question-create"),
    path("api/v1/lessons/<id:pk>/complete/", apis.LessonCompleteApi.as_view(), name="api-lesson-complete"),
    path("api/v1/lessons/<id:pk>/progress/", apis.VideoProgressApi.as_view(), name="api-lesson-progress"),
    path("api/v1/lessons/<id:pk>/attempts/", apis.QuizAttemptStartApi.as_view(), name="api-attempt-start"),
    path("api/v1/questions/<id:pk>/", apis.QuestionDetailApi.as_view(), name="api-question-detail"),
    path("api/v1/questions/<id:pk>/move/", apis.QuestionMoveApi.as_view(), name="api-question-move"),
    path("api/v1/categories/", apis.CategoryListCreateApi.as_view(), name="api-category-list"),
    path("api/v1/quiz-attempts/<id:pk>/", apis.QuizAttemptReviewApi.as_view(), name="api-attempt-detail"),
    path("api/v1/quiz-attempts/<id:pk>/submit/", apis.QuizAttemptSubmitApi.as_view(), name="api-attempt-submit"),
    path("api/v1/uploads/", apis.UploadCreateApi.as_view(), name="api-upload-create"),
    path("api/v1/uploads/<id:pk>/confirm/", apis.UploadConfirmApi.as_view(), name="api-upload-confirm"),
    path("api/v1/users/", apis.UserListCreateApi.as_view(), name="api-user-list"),
    path("api/v1/users/import/", apis.UserImportApi.as_view(), name="api-user-import"),
    path("api/v1/users/<id:pk>/deactivate/", apis.UserDeactivateApi.as_view(), name="api-user-deactivate"),
    path("api/v1/users/<id:pk>/reactivate/", apis.UserReactivateApi.as_view(), name="api-user-reactivate"),
    path("api/v1/users/<id:pk>/sign-out-everywhere/", apis.UserSignOutEverywhereApi.as_view(),
         name="api-user-sign-out-everywhere"),
    path("api/v1/users/<id:pk>/role/", apis.UserRoleApi.as_view(), name="api-user-role"),
    path("api/v1/users/<id:pk>/erase/", apis.UserEraseApi.as_view(), name="api-user-erase"),
    path("api/v1/users/<id:pk>/invitation/", apis.UserInvitationResendApi.as_view(), name="api-user-invitation"),
    path("api/v1/enrollments/", apis.EnrollmentListCreateApi.as_view(), name="api-enrollment-list"),
    path("api/v1/enrollments/<id:pk>/", apis.EnrollmentDetailApi.as_view(), name="api-enrollment-detail"),
    path("api/v1/certificates/", apis.CertificateListApi.as_view(), name="api-certificate-list"),
    path("api/v1/certificates/<id:pk>/download/", apis.CertificateDownloadApi.as_view(),
         name="api-certificate-download"),
    path("api/v1/certificates/verify/<str:code>/", apis.CertificateVerifyApi.as_view(), name="api-certificate-verify"),
    path("api/v1/posts/<id:pk>/report/", apis.PostReportApi.as_view(), name="api-post-report"),
    path("api/v1/posts/<id:pk>/hide/", apis.PostHideApi.as_view(), name="api-post-hide"),
    path("api/v1/posts/<id:pk>/restore/", apis.PostRestoreApi.as_view(), name="api-post-restore"),
    path("api/v1/moderation/reports/", apis.ReportListApi.as_view(), name="api-report-list"),
    path("api/v1/notifications/", apis.NotificationListApi.as_view(), name="api-notification-list"),
    path("api/v1/notifications/read/", apis.NotificationReadApi.as_view(), name="api-notification-read"),
    path("api/v1/notifications/settings/", apis.NotificationSettingsApi.as_view(),
         name="api-notification-settings"),
    path("api/v1/cohorts/", cohort_apis.CohortListCreateApi.as_view(), name="api-cohort-list"),
    path("api/v1/cohorts/<id:pk>/", cohort_apis.CohortDetailApi.as_view(), name="api-cohort-detail"),
    path("api/v1/cohorts/<id:pk>/members/", cohort_apis.CohortMembersApi.as_view(), name="api-cohort-members"),
    path("api/v1/cohorts/<id:pk>/members/<id:user_id>/", cohort_apis.CohortMemberDeleteApi.as_view(),
         name="api-cohort-member"),
    path("api/v1/cohorts/<id:pk>/import/", cohort_apis.CohortImportApi.as_view(), name="api-cohort-import"),
    path("api/v1/cohorts/<id:pk>/courses/", cohort_apis.CohortCoursesApi.as_view(), name="api-cohort-courses"),
    path("api/v1/cohorts/<id:pk>/paths/", cohort_apis.CohortPathsApi.as_view(), name="api-cohort-paths"),
    path("api/v1/learning-paths/", cohort_apis.PathListCreateApi.as_view(), name="api-path-list"),
    path("api/v1/learning-paths/<id:pk>/", cohort_apis.PathDetailApi.as_view(), name="api-path-detail"),
    path("api/v1/learning-paths/<id:pk>/courses/", cohort_apis.PathCoursesApi.as_view(), name="api-path-courses"),
    path("api/v1/learning-paths/<id:pk>/publish/", cohort_apis.PathPublishApi.as_view(), name="api-path-publish"),
    path("api/v1/learning-paths/<id:pk>/enrol/", cohort_apis.PathEnrolApi.as_view(), name="api-path-enrol"),
    path("api/v1/branding/", apis.BrandingApi.as_view(), name="api-branding"),
    path("api/v1/me/export/", apis.MyDataExportApi.as_view(), name="api-me-export"),
    path("api/v1/me/delete/", apis.MyAccountDeleteApi.as_view(), name="api-me-delete"),
]

_reset_tpl = "courses/registration/"
accounts = [
    # The old address of invitations: redirects to the one invitation page, /invitation/<token>/.
    path("accounts/invitation/<str:token>/", views.invitation_legacy, name="invitation-accept"),
    path("accounts/password-reset/", PasswordResetView.as_view(form_class=PasswordResetForm,
        template_name=_reset_tpl + "password_reset_form.html",
        email_template_name=_reset_tpl + "password_reset_email.txt",
        subject_template_name=_reset_tpl + "password_reset_subject.txt"), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name=_reset_tpl + "password_reset_done.html"), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(
        template_name=_reset_tpl + "password_reset_confirm.html"), name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name=_reset_tpl + "password_reset_complete.html"), name="password_reset_complete"),
]

pages = [
    path("courses/", views.catalogue, name="catalogue"),
    path("courses/<slug:slug>/", views.course_page, name="course"),
    path("courses/<slug:slug>/about/", views.course_landing, name="course-landing"),
    path("courses/<slug:slug>/enrol/", views.course_enrol, name="course-enrol"),
    path("courses/<slug:slug>/lessons/<id:pk>/", views.lesson_page, name="lesson"),
    path("courses/<slug:slug>/lessons/<id:pk>/complete/", views.lesson_complete, name="lesson-complete"),
    path("courses/<slug:slug>/lessons/<id:pk>/captions/<slug:language>.vtt", views.lesson_captions,
         name="lesson-captions"),
    path("courses/<slug:slug>/lessons/<id:pk>/scorm/<id:package_id>/<path:path>", views.scorm_file,
         name="lesson-scorm-file"),
    path("courses/<slug:slug>/lessons/<id:pk>/scorm-commit/<id:attempt_id>/<str:token>/", views.scorm_commit,
         name="lesson-scorm-commit"),
    path("courses/<slug:slug>/images/<id:pk>/", views.course_image, name="course-image"),
    path("courses/<slug:slug>/discussion/", views.discussion, name="discussion"),
    path("posts/<id:pk>/report/", views.post_report, name="post-report"),
    path("", views.home, name="home"),
    path("my/calendar/<id:user_id>/<slug:key>.ics", views.my_calendar, name="my-calendar"),
    path("my/progress/", views.my_progress, name="my-progress"),
    path("my/notifications/", views.my_notifications, name="my-notifications"),
    path("my/notifications/<id:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/unsubscribe/<str:token>/", views.notifications_unsubscribe, name="notifications-unsubscribe"),
    path("my/certificates/", views.my_certificates, name="my-certificates"),
    path("my/certificates/<id:pk>/download/", views.certificate_download, name="certificate-download"),
    path("my/profile/", views.my_profile, name="my-profile"),
    path("my/export.json", views.my_export, name="my-export"),
    path("my/delete/", views.my_delete, name="my-delete"),
    path("certificates/verify/<str:code>/", views.certificate_verify, name="certificate-verify"),
    path("certificates/verify/<str:code>/credential.jsonld", views.certificate_credential,
         name="certificate-credential"),
    path("teach/", views.teach_home, name="teach"),
    path("teach/courses/<id:pk>/", views.teach_course, name="teach-course"),
    path("teach/courses/<id:pk>/duplicate/", views.teach_course_duplicate, name="teach-course-duplicate"),
    path("teach/modules/<id:pk>/delete/", views.teach_module_delete, name="teach-module-delete"),
    path("teach/lessons/<id:pk>/", views.teach_lesson, name="teach-lesson"),
    path("teach/lessons/<id:pk>/delete/", views.teach_lesson_delete, name="teach-lesson-delete"),
    path("teach/preview/<slug:slug>/", views.course_preview, name="course-preview"),
    path("teach/preview/<slug:slug>/lessons/<id:pk>/", views.lesson_preview, name="course-preview-lesson"),
    path("teach/moderation/", views.moderation, name="moderation"),
    path("manage/", views.manage_dashboard, name="manage-dashboard"),
    path("manage/users/", views.manage_users, name="manage-users"),
    path("manage/users/import/", views.manage_import, name="manage-import"),
    path("manage/users/import/template.csv", views.manage_import_template, name="manage-import-template"),
    path("manage/users/import/report.csv", views.manage_import_report, name="manage-import-report"),
    path("manage/users/<id:pk>/deactivate/", views.manage_user_deactivate, name="manage-user-deactivate"),
    path("manage/users/<id:pk>/erase/", views.manage_user_erase, name="manage-user-erase"),
    path("manage/users/<id:pk>/cancel-invitation/", views.manage_user_invitation_cancel,
         name="manage-user-invitation-cancel"),
    path("teach/cohorts/", cohort_views.teach_cohorts, name="teach-cohorts"),
    path("teach/cohorts/<id:cohort_id>/", cohort_views.teach_cohort, name="teach-cohort"),
    path("teach/cohorts/<id:cohort_id>/delete/", cohort_views.teach_cohort_delete, name="teach-cohort-delete"),
    path("teach/cohorts/<id:cohort_id>/import/", cohort_views.teach_cohort_import, name="teach-cohort-import"),
    path("teach/cohorts/<id:cohort_id>/import/report.csv", cohort_views.teach_cohort_import_report,
         name="teach-cohort-import-report"),
    path("teach/courses/<id:course_id>/people/", cohort_views.teach_course_people, name="teach-course-people"),
    path("teach/paths/", path_views.teach_paths, name="teach-paths"),
    path("teach/paths/<id:path_id>/", path_views.teach_path, name="teach-path"),
    path("teach/paths/<id:path_id>/delete/", path_views.teach_path_delete, name="teach-path-delete"),
    path("paths/", path_views.paths, name="paths"),
    path("paths/<slug:path_slug>/", path_views.path_page, name="path"),
    path("manage/branding/", views.manage_branding, name="manage-branding"),
    path("branding.css", views.branding_css, name="branding-css"),
    path("manifest.webmanifest", views.web_app_manifest, name="web-app-manifest"),
    path("icons/<int:size>.png", views.web_app_icon, name="web-app-icon"),
    path("manage/analytics/", views.analytics, name="analytics"),
    path("manage/analytics/<id:pk>/", views.analytics_course, name="analytics-course"),
    path("manage/analytics/<id:pk>.csv", views.analytics_csv, name="analytics-csv"),
]

urlpatterns = [*api, *accounts, *pages]
