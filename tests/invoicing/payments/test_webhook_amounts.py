"""Money is never a float (SPEC §2, STYLE 4): the payment provider's notification is parsed with its
numbers as `Decimal`, and an amount that is not a whole number of cents is refused, not rounded."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

import pytest
from django.test import Client

from invoicing import services
from invoicing.models import Invoice, Payment
from tests.invoicing.helpers import paris, sign

SECRET = "whsec-test-amounts"


@pytest.fixture
def unpaid(quote_sent, clock, settings):
    """F2026-000001, EUR 288.00 incl. tax, unpaid."""
    settings.INVOICING_WEBHOOK_SECRET = SECRET
    clock(paris(2026, 1, 15, 9))
    return sign(quote_sent())


def _post(raw: str) -> object:
    body = raw.encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return Client(HTTP_HOST="localhost").post("/api/v1/payment-webhooks/provider/", body,
                                              content_type="application/json", HTTP_X_SIGNATURE=signature)


def _notification(amount: str, reference: str = "pay_1") -> str:
    """The JSON text exactly as the provider sends it (`amount` is pasted verbatim: number or string)."""
    return (f'{{"reference": "{reference}", "invoice_number": "F2026-000001", "amount": {amount}, '
            f'"currency": "EUR"}}')


@pytest.mark.parametrize(("amount", "shown"), [("100.005", "100.005"), ('"100.005"', "100.005"),
                                               ("288.00000000000001", "288.00000000000001"), ("0.001", "0.001"),
                                               ("1e-3", "0.001")])
def test_an_amount_with_more_than_two_decimals_is_refused_not_rounded(unpaid, amount, shown) -> None:
    response = _post(_notification(amount))
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_amount"
    assert error["message"] == "An amount in EUR has at most two decimals (whole cents)."
    assert error["details"] == {"amount": shown}
    assert not Payment.objects.exists()
    assert Invoice.objects.get(pk=unpaid.invoice.pk).amount_paid == Decimal("0.00")


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "true", "null", "[1]", '{"v": 1}'])
def test_an_amount_that_is_not_a_number_is_refused(unpaid, amount) -> None:
    response = _post(_notification(amount))
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in {"invalid_amount", "validation_error"}
    assert not Payment.objects.exists()


@pytest.mark.parametrize(("amount", "recorded"), [
    ("288.1", Decimal("288.10")),  # a JSON number, read as the decimal the provider wrote, not a binary float
    ("0.29", Decimal("0.29")),
    ('"12.30"', Decimal("12.30")),
    ("100", Decimal("100.00")),
    ("1.10e2", Decimal("110.00")),
])
def test_json_numbers_and_strings_are_read_as_exact_decimals(unpaid, amount, recorded) -> None:
    response = _post(_notification(amount))
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == str(recorded)
    assert Payment.objects.get().amount == recorded


def test_payment_record_refuses_sub_cent_amounts_whatever_the_caller(unpaid) -> None:
    with pytest.raises(services.InvalidAmountError) as raised:
        services.payment_record(invoice=unpaid.invoice, amount=Decimal("10.999"))
    assert raised.value.details == {"amount": "10.999"}
    with pytest.raises(services.InvalidAmountError):
        services.payment_record(invoice=unpaid.invoice, amount=10.5)  # a float is refused outright
    assert not Payment.objects.exists()
