"""URLs of the invoicing app on the tenant host(s): the customer administrator's billing."""

from django.urls import path

from . import apis, views

urlpatterns = [
    path("billing/", views.billing_page, name="billing"),
    path("billing/identity/", views.billing_identity_page, name="billing-identity"),
    path("billing/cancel/", views.billing_cancel_page, name="billing-cancel"),
    path("billing/resubscribe/", views.billing_resubscribe_page, name="billing-resubscribe"),
    path("billing/orders/<int:quote_id>/pdf/", views.billing_order_pdf, name="billing-order-pdf"),
    path("billing/orders/<int:quote_id>/terms/pdf/", views.billing_order_terms_pdf, name="billing-order-terms-pdf"),
    path("billing/invoices/<int:invoice_id>/pdf/", views.billing_invoice_pdf, name="billing-invoice-pdf"),
    path("billing/invoices/<int:invoice_id>/pay/", views.billing_invoice_pay, name="billing-invoice-pay"),
    path("api/v1/billing/invoices/", apis.TenantInvoiceListApi.as_view(), name="api-billing-invoices"),
    path("api/v1/billing/invoices/<int:invoice_id>/pdf/", apis.TenantInvoicePdfApi.as_view(),
         name="api-billing-invoice-pdf"),
    path("api/v1/billing/identity/", apis.TenantBillingIdentityApi.as_view(), name="api-billing-identity"),
    path("api/v1/billing/subscription/", apis.TenantSubscriptionApi.as_view(), name="api-billing-subscription"),
    path("api/v1/billing/subscription/cancel/", apis.TenantSubscriptionCancelApi.as_view(),
         name="api-billing-subscription-cancel"),
    path("api/v1/billing/subscription/resubscribe/", apis.TenantSubscriptionResubscribeApi.as_view(),
         name="api-billing-subscription-resubscribe"),
]
