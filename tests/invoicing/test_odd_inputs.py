"""Odd inputs on every invoicing endpoint never give a server error (SPEC §4: never a 500 for bad input)."""

from __future__ import annotations

import pytest

from tests.helpers import api_client, api_token
from tests.invoicing.helpers import paris, sign

pytestmark = pytest.mark.slow  # odd inputs to every invoicing endpoint: `make test-fast` leaves it out

ODD_BODIES = [None, [], [1, 2], "text", {}, {"amount": None}, {"amount": "1e309"}, {"amount": "NaN"},
              {"amount": "-0.001"}, {"amount": "99999999999999"}, {"confirm": "yes"}, {"seats": -1},
              {"plan": None, "country": "ZZZ", "wished_slug": "A B", "vat_number": "€€€", "contact_email": "x"},
              {"signer_name": "x" * 500, "signer_title": "", "signer_email": "a@b", "accept_terms": "maybe"},
              {"code": "x", "name": "y", "billing_period": "weekly", "flat_amount": "abc"},
              {"valid_from": "not a date", "per_seat_amount": "1.234"}, {"reason": ""}]


@pytest.fixture
def routes(quote_sent, clock) -> dict[str, list[str]]:
    clock(paris(2026, 1, 15, 9))
    draft = quote_sent()
    result = sign(quote_sent())
    quote_id, invoice_id = result.subscription.quote_id, result.invoice.pk
    return {
        "platform": ["/api/v1/plans/", "/api/v1/plans/1/prices/", "/api/v1/plans/999999/prices/", "/api/v1/quotes/",
                     f"/api/v1/quotes/{quote_id}/", f"/api/v1/quotes/{draft.pk}/", f"/api/v1/quotes/{quote_id}/send/",
                     f"/api/v1/quotes/{draft.pk}/withdraw/", f"/api/v1/quotes/{draft.pk}/revise/",
                     f"/api/v1/quotes/{quote_id}/revise/", f"/api/v1/quotes/{draft.pk}/pro-forma/",
                     f"/api/v1/quote-signatures/{draft.token}/",
                     "/api/v1/quote-signatures/x/", "/api/v1/invoices/", f"/api/v1/invoices/{invoice_id}/",
                     f"/api/v1/invoices/{invoice_id}/payments/", f"/api/v1/invoices/{invoice_id}/credit-notes/",
                     "/api/v1/invoices/999999/payments/", "/api/v1/payment-webhooks/provider/",
                     "/api/v1/invoices/?status=x&tenant=abc&page=999", "/api/v1/quotes/?page=-1"],
        "tenant": ["/api/v1/billing/invoices/?page=abc", "/api/v1/billing/subscription/",
                   "/api/v1/billing/subscription/cancel/", f"/api/v1/billing/invoices/{invoice_id}/pdf/"],
    }


def test_odd_inputs_never_answer_a_server_error(routes, db) -> None:
    operator = api_client("localhost", api_token("localhost", "operator@demo.test"))
    demo_admin = api_client("demo.localhost", api_token("demo.localhost", "admin@demo.test"))
    for client, urls in ((operator, routes["platform"]), (demo_admin, routes["tenant"])):
        for url in urls:
            for method in ("get", "post", "patch"):
                for body in ODD_BODIES if method != "get" else [None]:
                    response = getattr(client, method)(url, body, format="json")
                    assert response.status_code < 500, (method, url, body, response.content[:300])
                    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
                        assert set(response.json()["error"]) == {"code", "message", "details"}, (method, url, body)


def test_signed_but_malformed_webhook_notifications_are_4xx(routes, settings) -> None:
    import hashlib
    import hmac
    import json

    from django.test import Client

    settings.INVOICING_WEBHOOK_SECRET = "s3cret"
    client = Client(HTTP_HOST="localhost")
    bodies = [b"", b"not json", b"\xff\xfe", json.dumps([1]).encode(), json.dumps({"reference": "r"}).encode(),
              json.dumps({"reference": "r", "invoice_number": "F2026-000001", "amount": "abc"}).encode(),
              json.dumps({"reference": "r", "invoice_number": "F2026-000001", "amount": "-3"}).encode(),
              json.dumps({"reference": "r", "invoice_number": "nope", "amount": "3"}).encode(),
              json.dumps({"reference": "r", "invoice_number": "F2026-000001", "amount": "3",
                          "currency": "USD"}).encode()]
    for body in bodies:
        signature = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        response = client.post("/api/v1/payment-webhooks/provider/", body, content_type="application/json",
                               HTTP_X_SIGNATURE=signature)
        assert 400 <= response.status_code < 500, (body, response.content)
        assert "error" in response.json()
