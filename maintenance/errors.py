"""The maintenance app's API error codes (STYLE 6): the one catalogue of the codes it answers with."""

from __future__ import annotations

from mooc_platform.errors import Code as BaseCode


class Code(BaseCode):
    """The maintenance app's API error codes, with the shared ones of `mooc_platform.errors.Code`."""

    INCIDENT_INVALID = "incident_invalid"
    INVALID_MONTH = "invalid_month"
    MAINTENANCE_ALREADY_OVER = "maintenance_already_over"
    MAINTENANCE_END_BEFORE_START = "maintenance_end_before_start"
    MAINTENANCE_IN_PROGRESS = "maintenance_in_progress"
    MAINTENANCE_JUSTIFICATION_REQUIRED = "maintenance_justification_required"
    MAINTENANCE_NOT_SATURDAY_NOON = "maintenance_not_saturday_noon"
    MAINTENANCE_NOTICE_TOO_SHORT = "maintenance_notice_too_short"
    MAINTENANCE_RULE_BROKEN = "maintenance_rule_broken"
    MAINTENANCE_SCOPE_INVALID = "maintenance_scope_invalid"
    MAINTENANCE_TOO_LONG = "maintenance_too_long"
    MAINTENANCE_WINDOW_NOT_SCHEDULED = "maintenance_window_not_scheduled"
