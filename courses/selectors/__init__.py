"""Reads of the tenant's learning platform. Every list is built with a constant number of queries
whatever its length (SPEC §5: no N+1)."""

from .access import (
    course_content_readable,
    courses_content_readable,
    lesson_readable,
)
from .authoring import (
    course_lessons,
    course_outline,
    courses_visible,
)
from .branding import (
    branding_current,
)
from .catalogue import (
    CatalogueFilters,
    catalogue_filters_clean,
    categories_used,
    course_landing_visible,
    courses_search,
)
from .certificates import (
    certificate_by_code,
    certificate_public_holder,
    certificates_all,
    certificates_of,
)
from .dashboard import (
    Dashboard,
    dashboard_figures,
)
from .discussions import (
    lesson_threads_count,
    post_author_label,
    posts_of_course,
    reports_open,
    reports_open_count,
)
from .home import (
    DEADLINE_HORIZON,
    Deadline,
    LearnerHome,
    MyCourse,
    calendar_key,
    calendar_user,
    learner_deadlines,
    learner_home,
)
from .learning import (
    course_analytics,
    course_score,
    courses_catalogue,
    enrollments_of,
    lesson_ids_completed,
    progress_percent,
    quiz_attempt_expiry_effective,
    quiz_deadline_effective,
    quiz_deadlines_between_across_tenants,
    quiz_maintenance_clash,
    score_of_course,
)
from .notifications import (
    NotificationChoices,
    notification_settings_of,
    notification_text,
    notifications_of,
    notifications_unread_count,
)
from .people import (
    seats_reserved,
    seats_taken,
    seats_used,
    user_invitation_legacy_user,
    user_status,
    users_list,
)
from .player import (
    Cue,
    Outline,
    caption_cues,
    captions_of,
    lesson_outline,
    video_resume_position,
)

__all__ = [
    "DEADLINE_HORIZON",
    "CatalogueFilters",
    "Cue",
    "Dashboard",
    "Deadline",
    "LearnerHome",
    "MyCourse",
    "NotificationChoices",
    "Outline",
    "branding_current",
    "calendar_key",
    "calendar_user",
    "caption_cues",
    "captions_of",
    "catalogue_filters_clean",
    "categories_used",
    "certificate_by_code",
    "certificate_public_holder",
    "certificates_all",
    "certificates_of",
    "course_analytics",
    "course_content_readable",
    "course_landing_visible",
    "course_lessons",
    "course_outline",
    "course_score",
    "courses_catalogue",
    "courses_content_readable",
    "courses_search",
    "courses_visible",
    "dashboard_figures",
    "enrollments_of",
    "learner_deadlines",
    "learner_home",
    "lesson_ids_completed",
    "lesson_outline",
    "lesson_readable",
    "lesson_threads_count",
    "notification_settings_of",
    "notification_text",
    "notifications_of",
    "notifications_unread_count",
    "post_author_label",
    "posts_of_course",
    "progress_percent",
    "quiz_attempt_expiry_effective",
    "quiz_deadline_effective",
    "quiz_deadlines_between_across_tenants",
    "quiz_maintenance_clash",
    "reports_open",
    "reports_open_count",
    "score_of_course",
    "seats_reserved",
    "seats_taken",
    "seats_used",
    "user_invitation_legacy_user",
    "user_status",
    "users_list",
    "video_resume_position",
]
