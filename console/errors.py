"""The console's error codes (STYLE 6): one catalogue, like every app's."""

from __future__ import annotations

from mooc_platform.errors import Code as BaseCode


class Code(BaseCode):
    ALREADY_CONFIRMED = "already_confirmed"
    APPROVAL_DECIDED = "approval_decided"
    APPROVAL_PENDING = "approval_pending"
    INVALID_ACTION = "invalid_action"
    INVALID_CODE = "invalid_code"
    REASON_REQUIRED = "reason_required"
    SECOND_OPERATOR_REQUIRED = "second_operator_required"
