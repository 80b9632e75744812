"""URLs of the invoicing app on the public host(s)."""

from django.urls import path

from . import apis, views

urlpatterns = [
    path("api/v1/plans/", apis.PlanListApi.as_view(), name="api-plans"),
    path("api/v1/plans/<int:plan_id>/prices/", apis.PlanPriceCreateApi.as_view(), name="api-plan-prices"),
    path("api/v1/quotes/", apis.QuoteListApi.as_view(), name="api-quotes"),
    path("api/v1/quotes/<int:quote_id>/", apis.QuoteDetailApi.as_view(), name="api-quote"),
    path("api/v1/quotes/<int:quote_id>/send/", apis.QuoteSendApi.as_view(), name="api-quote-send"),
    path("api/v1/quotes/<int:quote_id>/revise/", apis.QuoteReviseApi.as_view(), name="api-quote-revise"),
    path("api/v1/quotes/<int:quote_id>/withdraw/", apis.QuoteWithdrawApi.as_view(), name="api-quote-withdraw"),
    path("api/v1/quotes/<int:quote_id>/pro-forma/", apis.QuoteProFormaCreateApi.as_view(), name="api-quote-pro-forma"),
    path("api/v1/quote-signatures/<str:token>/", apis.QuoteSignatureCreateApi.as_view(), name="api-quote-signature"),
    path("api/v1/invoices/", apis.InvoiceListApi.as_view(), name="api-invoices"),
    path("api/v1/invoices/<int:invoice_id>/", apis.InvoiceDetailApi.as_view(), name="api-invoice"),
    path("api/v1/invoices/<int:invoice_id>/pdf/", apis.InvoicePdfApi.as_view(), name="api-invoice-pdf"),
    path("api/v1/invoices/<int:invoice_id>/payments/", apis.InvoicePaymentsApi.as_view(), name="api-invoice-payments"),
    path("api/v1/invoices/<int:invoice_id>/credit-notes/", apis.CreditNoteCreateApi.as_view(),
         name="api-invoice-credit-notes"),
    path("api/v1/tenants/<int:pk>/terminate/", apis.TenantTerminateApi.as_view(), name="api-tenant-terminate"),
    path("api/v1/customers/", apis.CustomerListApi.as_view(), name="api-customers"),
    path("api/v1/customers/<int:customer_id>/", apis.CustomerDetailApi.as_view(), name="api-customer"),
    path("api/v1/payment-webhooks/provider/", apis.PaymentWebhookApi.as_view(), name="api-payment-webhook"),
    path("pricing/", views.pricing_page, name="pricing"),
    path("quotes/sign/<str:token>/", views.quote_sign_page, name="quote-sign"),
    path("quotes/sign/<str:token>/pdf/", views.quote_pdf, name="quote-sign-pdf"),
    path("quotes/sign/<str:token>/terms/", views.quote_terms_page, name="quote-sign-terms"),
    path("quotes/sign/<str:token>/terms/pdf/", views.quote_terms_pdf, name="quote-sign-terms-pdf"),
]
