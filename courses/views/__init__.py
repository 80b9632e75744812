"""HTML pages of the tenant's learning platform, as thin as the API: services do the work and an
ApplicationError becomes a message on the page."""

from .authoring import (
    teach_course,
    teach_course_duplicate,
    teach_home,
    teach_lesson,
    teach_lesson_delete,
    teach_module_delete,
)
from .branding import (
    branding_css,
    manage_branding,
    web_app_icon,
    web_app_manifest,
)
from .certificates import (
    certificate_credential,
    certificate_download,
    certificate_verify,
    my_certificates,
)
from .common import (
    View,
)
from .dashboard import (
    manage_dashboard,
)
from .discussions import (
    discussion,
    moderation,
    post_report,
)
from .home import (
    home,
    my_calendar,
)
from .learning import (
    analytics,
    analytics_course,
    analytics_csv,
    catalogue,
    course_enrol,
    course_image,
    course_landing,
    course_page,
    course_preview,
    lesson_captions,
    lesson_complete,
    lesson_page,
    lesson_preview,
    my_progress,
)
from .notifications import (
    my_notifications,
    notification_open,
    notifications_unsubscribe,
)
from .people import (
    invitation_legacy,
    manage_user_deactivate,
    manage_user_erase,
    manage_user_invitation_cancel,
    manage_users,
    my_profile,
)
from .privacy import (
    my_delete,
    my_export,
)
from .scorm import (
    scorm_commit,
    scorm_file,
)
from .user_import import (
    manage_import,
    manage_import_report,
    manage_import_template,
)

__all__ = [
    "View",
    "analytics",
    "analytics_course",
    "analytics_csv",
    "branding_css",
    "catalogue",
    "certificate_credential",
    "certificate_download",
    "certificate_verify",
    "course_enrol",
    "course_image",
    "course_landing",
    "course_page",
    "course_preview",
    "discussion",
    "home",
    "invitation_legacy",
    "lesson_captions",
    "lesson_complete",
    "lesson_page",
    "lesson_preview",
    "manage_branding",
    "manage_dashboard",
    "manage_import",
    "manage_import_report",
    "manage_import_template",
    "manage_user_deactivate",
    "manage_user_erase",
    "manage_user_invitation_cancel",
    "manage_users",
    "moderation",
    "my_calendar",
    "my_certificates",
    "my_delete",
    "my_export",
    "my_notifications",
    "my_profile",
    "my_progress",
    "notification_open",
    "notifications_unsubscribe",
    "post_report",
    "scorm_commit",
    "scorm_file",
    "teach_course",
    "teach_course_duplicate",
    "teach_home",
    "teach_lesson",
    "teach_lesson_delete",
    "teach_module_delete",
    "web_app_icon",
    "web_app_manifest",
]
