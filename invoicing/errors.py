"""The invoicing app's errors: each a stable `code` the API handler returns."""

from __future__ import annotations

from rest_framework import status

from mooc_platform.errors import ApplicationError, ConflictError
from mooc_platform.errors import Code as BaseCode


class Code(BaseCode):
    """The invoicing app's API error codes, with the shared ones of `mooc_platform.errors.Code`."""

    AMENDMENT_LIMITS = "amendment_limits"
    BILLING_PERIOD_CHANGE = "billing_period_change"
    DOCUMENT_CHANGED = "document_changed"
    INITIAL_TERM_NOT_WHOLE_PERIODS = "initial_term_not_whole_periods"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_BILLING_IDENTITY = "invalid_billing_identity"
    INVALID_COUNTRY = "invalid_country"
    INVALID_CURRENCY = "invalid_currency"
    INVALID_FIELDS = "invalid_fields"
    INVALID_SIGNATURE = "invalid_signature"
    INVALID_SIREN = "invalid_siren"
    INVALID_TERMS_VERSION = "invalid_terms_version"
    INVALID_VALID_UNTIL = "invalid_valid_until"
    INVALID_VAT_NUMBER = "invalid_vat_number"
    INVOICE_STATE = "invoice_state"
    NO_SUBSCRIPTION = "no_subscription"
    NOTHING_TO_AMEND = "nothing_to_amend"
    OVERDUE_BALANCE = "overdue_balance"
    PAYMENT_PROVIDER_MISSING = "payment_provider_missing"
    PLAN_RETIRED = "plan_retired"
    PROCEEDINGS_STATE = "proceedings_state"
    QUOTE_ALREADY_SIGNED = "quote_already_signed"
    QUOTE_EXPIRED = "quote_expired"
    QUOTE_FROZEN = "quote_frozen"
    QUOTE_NOT_SIGNABLE = "quote_not_signable"
    SUBSCRIPTION_ENDED = "subscription_ended"
    SUBSCRIPTION_STATE = "subscription_state"
    TERMS_NOT_ACCEPTED = "terms_not_accepted"
    VAT_NUMBER_NOT_REGISTERED = "vat_number_not_registered"
    VAT_RATE_UNKNOWN = "vat_rate_unknown"


class QuoteFrozenError(ConflictError):
    code = Code.QUOTE_FROZEN


class QuoteNotSignableError(ConflictError):
    code = Code.QUOTE_NOT_SIGNABLE


class QuoteAlreadySignedError(ConflictError):
    code = Code.QUOTE_ALREADY_SIGNED


class QuoteExpiredError(ApplicationError):
    code = Code.QUOTE_EXPIRED
    status_code = status.HTTP_410_GONE


class TermsNotAcceptedError(ApplicationError):
    code = Code.TERMS_NOT_ACCEPTED


class DocumentChangedError(ConflictError):
    code = Code.DOCUMENT_CHANGED


class InvoiceStateError(ConflictError):
    code = Code.INVOICE_STATE


class InvalidAmountError(ApplicationError):
    code = Code.INVALID_AMOUNT


class SubscriptionStateError(ConflictError):
    code = Code.SUBSCRIPTION_STATE


class WebhookSignatureError(ApplicationError):
    code = Code.INVALID_SIGNATURE
    status_code = status.HTTP_401_UNAUTHORIZED


class OverdueBalanceError(ConflictError):
    code = Code.OVERDUE_BALANCE


class BillingPeriodChangeError(ConflictError):
    code = Code.BILLING_PERIOD_CHANGE


class InitialTermError(ApplicationError):
    code = Code.INITIAL_TERM_NOT_WHOLE_PERIODS


class BillingIdentityError(ApplicationError):
    code = Code.INVALID_BILLING_IDENTITY


class TermsVersionError(ApplicationError):
    code = Code.INVALID_TERMS_VERSION


class PaymentProviderMissingError(ConflictError):
    code = Code.PAYMENT_PROVIDER_MISSING
