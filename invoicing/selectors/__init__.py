"""Reads of the invoicing app. Queries that cross customers say so in their name (`platform_…`)."""

from .invoices import (
    AmountsOwed,
    OpenInvoice,
    invoices_credit_note_proposed,
    invoices_due,
    invoices_overdue,
    platform_invoices_list,
    tenant_amounts_owed,
    tenant_invoices,
)
from .payments import (
    SETTLEMENT_GRACE_DAYS,
    customer_balance_annotations,
    platform_customers_balances,
    tenant_balance,
    tenant_balance_settles_by,
    tenant_credit,
)
from .plans import (
    PublicPrice,
    platform_plans_list,
    public_prices,
)
from .proceedings import (
    platform_tenant_ids_under_collective_proceedings,
    tenant_collective_proceedings_open,
    tenant_plan_retirement,
)
from .quotes import (
    platform_quotes_list,
    quote_by_token,
)
from .subscriptions import (
    tenant_billing_summary_by_schema,
    tenant_subscription,
)
from .terms import (
    tenant_signed_orders,
    terms_in_force,
    terms_versions_list,
)

__all__ = [
    "SETTLEMENT_GRACE_DAYS",
    "AmountsOwed",
    "OpenInvoice",
    "PublicPrice",
    "customer_balance_annotations",
    "invoices_credit_note_proposed",
    "invoices_due",
    "invoices_overdue",
    "platform_customers_balances",
    "platform_invoices_list",
    "platform_plans_list",
    "platform_quotes_list",
    "platform_tenant_ids_under_collective_proceedings",
    "public_prices",
    "quote_by_token",
    "tenant_amounts_owed",
    "tenant_balance",
    "tenant_balance_settles_by",
    "tenant_billing_summary_by_schema",
    "tenant_collective_proceedings_open",
    "tenant_credit",
    "tenant_invoices",
    "tenant_plan_retirement",
    "tenant_signed_orders",
    "tenant_subscription",
    "terms_in_force",
    "terms_versions_list",
]
