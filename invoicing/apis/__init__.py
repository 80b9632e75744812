"""Invoicing API (SPEC §4): thin views, nested Input/Output serializers, services do the work.

Platform host (operators): plans, quotes, invoices, payments; quote signatures (no account) and the payment
provider's webhook. Tenant host (customer administrators): invoices and subscription of that tenant only."""

from .billing import (
    BillingIdentityOutput,
    SubscriptionOutput,
    TenantBillingIdentityApi,
    TenantInvoiceListApi,
    TenantInvoicePdfApi,
    TenantSubscriptionApi,
    TenantSubscriptionCancelApi,
    TenantSubscriptionResubscribeApi,
)
from .common import (
    PDF_RESPONSES,
    MoneyField,
)
from .invoices import (
    CreditNoteCreateApi,
    InvoiceDetailApi,
    InvoiceLineOutput,
    InvoiceListApi,
    InvoiceOutput,
    InvoicePdfApi,
    QuoteProFormaCreateApi,
)
from .payments import (
    CustomerBalanceOutput,
    CustomerDetailApi,
    CustomerListApi,
    InvoicePaymentsApi,
    PaymentOutput,
    PaymentWebhookApi,
)
from .plans import (
    PlanListApi,
    PlanOutput,
    PlanPriceCreateApi,
    PlanPriceOutput,
)
from .quotes import (
    QuoteDetailApi,
    QuoteInputMixin,
    QuoteLineOutput,
    QuoteListApi,
    QuoteOutput,
    QuoteReviseApi,
    QuoteSendApi,
    QuoteSignatureCreateApi,
    QuoteWithdrawApi,
)
from .subscriptions import (
    TenantTerminateApi,
)

__all__ = [
    "PDF_RESPONSES",
    "BillingIdentityOutput",
    "CreditNoteCreateApi",
    "CustomerBalanceOutput",
    "CustomerDetailApi",
    "CustomerListApi",
    "InvoiceDetailApi",
    "InvoiceLineOutput",
    "InvoiceListApi",
    "InvoiceOutput",
    "InvoicePaymentsApi",
    "InvoicePdfApi",
    "MoneyField",
    "PaymentOutput",
    "PaymentWebhookApi",
    "PlanListApi",
    "PlanOutput",
    "PlanPriceCreateApi",
    "PlanPriceOutput",
    "QuoteDetailApi",
    "QuoteInputMixin",
    "QuoteLineOutput",
    "QuoteListApi",
    "QuoteOutput",
    "QuoteProFormaCreateApi",
    "QuoteReviseApi",
    "QuoteSendApi",
    "QuoteSignatureCreateApi",
    "QuoteWithdrawApi",
    "SubscriptionOutput",
    "TenantBillingIdentityApi",
    "TenantInvoiceListApi",
    "TenantInvoicePdfApi",
    "TenantSubscriptionApi",
    "TenantSubscriptionCancelApi",
    "TenantSubscriptionResubscribeApi",
    "TenantTerminateApi",
]
