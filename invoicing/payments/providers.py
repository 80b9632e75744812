"""The payment provider behind the billing page's "pay online" link (SPEC R9), chosen by the setting
`INVOICING_PAYMENT_PROVIDER`: none (customers pay by bank transfer), `fake` (tests and demos), or the dotted path of
a class with the `PaymentProvider` shape. Whatever the provider, the payment reaches us through the signed webhook
`/api/v1/payment-webhooks/provider/` (`invoicing.services.payment_webhook_handle`), never through the return URL."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.utils.module_loading import import_string

from invoicing.models import Invoice

NAMES = {"fake": "invoicing.payments.providers.FakeProvider"}


class PaymentProvider(Protocol):
    name: str

    def checkout_url_for(self, *, invoice: Invoice, amount: str, return_url: str, language: str) -> str:
        """Where to send the customer to pay `amount` (EUR, a decimal string) of `invoice`; the provider sends
        them back to `return_url` and notifies the webhook with the invoice number as metadata."""
        ...


class FakeProvider:
    """The loopback checkout of `invoicing.payments.fake` at `INVOICING_PAYMENT_PROVIDER_URL`: a page with a
    "pay" button that posts a signed notification to our webhook, as a real provider would."""

    name = "fake"

    def checkout_url_for(self, *, invoice: Invoice, amount: str, return_url: str, language: str) -> str:
        base = settings.INVOICING_PAYMENT_PROVIDER_URL.rstrip("/")
        query = urlencode({"invoice": invoice.number, "amount": amount, "currency": invoice.currency,
                           "return": return_url, "lang": language})
        return f"{base}/checkout?{query}"


def payment_provider() -> PaymentProvider | None:
    """The configured provider, or None when customers pay by transfer only (no "pay online" link)."""
    configured = (settings.INVOICING_PAYMENT_PROVIDER or "").strip()
    if not configured:
        return None
    provider_class = import_string(NAMES.get(configured, configured))
    return provider_class()
