"""The claims app's API error codes (STYLE 6)."""

from __future__ import annotations

from mooc_platform.errors import Code as BaseCode


class Code(BaseCode):
    CLAIM_CLOSED = "claim_closed"
    CLAIM_EVENT_IN_FUTURE = "claim_event_in_future"
    CLAIM_INVOICE_REQUIRED = "claim_invoice_required"
    CLAIM_INVOICE_UNKNOWN = "claim_invoice_unknown"
    CLAIM_STATUS_INVALID = "claim_status_invalid"
    CLAIM_WINDOW_UNKNOWN = "claim_window_unknown"
