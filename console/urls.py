"""/console/ on the platform host: the operators' pages. The Django admin's record lists are mounted
after these, at the same prefix (mooc_platform/urls_public.py)."""

from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.login_view, name="login"),
    path("otp/", views.otp_view, name="otp"),
    path("otp/setup/", views.otp_setup_view, name="otp-setup"),
    path("otp/recovery-codes/", views.recovery_codes_view, name="recovery-codes"),
    path("language/", views.language_view, name="language"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation-new"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/domains/<int:domain_pk>/<str:action>/", views.domain_action, name="domain-action"),
    path("organisations/<int:pk>/node/", views.organisation_node_move, name="organisation-node-move"),
    path("organisations/<int:pk>/<str:action>/", views.organisation_action, name="organisation-action"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval-decide"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:pk>/payment/", views.invoice_payment, name="invoice-payment"),
    path("invoices/<int:pk>/credit-note/", views.invoice_credit_note, name="invoice-credit-note"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice-pdf"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:pk>/retire/", views.plan_retire, name="plan-retire"),
    path("maintenance-windows/", views.maintenance_windows, name="maintenance-windows"),
    path("maintenance-windows/new/", views.maintenance_window_new, name="maintenance-window-new"),
    path("maintenance-windows/<int:pk>/", views.maintenance_window_detail, name="maintenance-window"),
    path("maintenance-windows/<int:pk>/move/", views.maintenance_window_move, name="maintenance-window-move"),
    path("maintenance-windows/<int:pk>/cancel/", views.maintenance_window_cancel, name="maintenance-window-cancel"),
    path("quotes/", views.quotes, name="quotes"),
    path("quotes/new/", views.quote_new, name="quote-new"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote"),
    path("quotes/<int:pk>/<str:action>/", views.quote_action, name="quote-action"),
    path("terms/", views.terms_versions, name="terms"),
]
