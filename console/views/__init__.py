"""The console's pages, one module per sub-domain; urls.py reaches them through this package."""

from .claims import claim_detail, claims
from .dashboard import dashboard
from .invoices import invoice_credit_note, invoice_payment, invoices
from .maintenance import (
    maintenance_window_cancel,
    maintenance_window_detail,
    maintenance_window_move,
    maintenance_window_new,
    maintenance_windows,
)
from .organisations import (
    approval_decide,
    approvals,
    domain_action,
    organisation_action,
    organisation_detail,
    organisation_new,
    organisations,
)
from .placement import organisation_node_move
from .plans import plan_retire, plans
from .quotes import invoice_pdf, quote_action, quote_detail, quote_new, quotes
from .sign_in import language_view, login_view, otp_setup_view, otp_view, recovery_codes_view
from .terms import terms_versions

__all__ = [
    "approval_decide",
    "approvals",
    "claim_detail",
    "claims",
    "dashboard",
    "domain_action",
    "invoice_credit_note",
    "invoice_payment",
    "invoice_pdf",
    "invoices",
    "language_view",
    "login_view",
    "maintenance_window_cancel",
    "maintenance_window_detail",
    "maintenance_window_move",
    "maintenance_window_new",
    "maintenance_windows",
    "organisation_action",
    "organisation_detail",
    "organisation_new",
    "organisation_node_move",
    "organisations",
    "otp_setup_view",
    "otp_view",
    "plan_retire",
    "plans",
    "quote_action",
    "quote_detail",
    "quote_new",
    "quotes",
    "recovery_codes_view",
    "terms_versions",
]
