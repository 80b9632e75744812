"""The invoicing app's errors: each a stable `code` the API handler returns."""

from __future__ import annotations

from rest_framework import status

from mooc_platform.errors import ApplicationError, ConflictError


class QuoteFrozenError(ConflictError):
    code = "quote_frozen"


class QuoteNotSignableError(ConflictError):
    code = "quote_not_signable"


class QuoteAlreadySignedError(ConflictError):
    code = "quote_already_signed"


class QuoteExpiredError(ApplicationError):
    code = "quote_expired"
    status_code = status.HTTP_410_GONE


class TermsNotAcceptedError(ApplicationError):
    code = "terms_not_accepted"


class DocumentChangedError(ConflictError):
    code = "document_changed"


class InvoiceStateError(ConflictError):
    code = "invoice_state"


class InvalidAmountError(ApplicationError):
    code = "invalid_amount"


class SubscriptionStateError(ConflictError):
    code = "subscription_state"


class WebhookSignatureError(ApplicationError):
    code = "invalid_signature"
    status_code = status.HTTP_401_UNAUTHORIZED


class OverdueBalanceError(ConflictError):
    code = "overdue_balance"
