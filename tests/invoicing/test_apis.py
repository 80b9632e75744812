"""Invoicing API (SPEC §4): operators on the platform host, signers without an account, the payment
webhook, and customer administrators on their own tenant host only."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from invoicing.models import Invoice, Payment, Quote
from mooc_platform.accounts.models import User
from tests.helpers import api_client, api_token
from tests.invoicing.helpers import paris, sign

SECRET = "whsec-test-0123456789"


@pytest.fixture
def operator(db: None) -> object:
    return api_client("localhost", api_token("localhost", "operator@demo.test"))


@pytest.fixture
def signed(quote_sent, clock):
    clock(paris(2026, 1, 15, 9))
    return sign(quote_sent())


def test_operator_creates_plan_quote_and_sends_it(operator, mailoutbox, django_capture_on_commit_callbacks) -> None:
    plan = operator.post("/api/v1/plans/", {"code": "pro-api", "name": "Pro", "billing_period": "annual",
                                            "flat_amount": "1200.00", "per_seat_amount": "10.00", "seats": 20,
                                            "setup_fee": "300.00"}, format="json")
    assert plan.status_code == 201, plan.content
    assert plan.json()["prices"][0]["flat_amount"] == "1200.00"

    quote = operator.post("/api/v1/quotes/", {
        "plan": "pro-api", "organisation_name": "Lycée Descartes", "billing_address": "10 rue des Écoles, Tours",
        "country": "FR", "contact_name": "Jean Dupont", "contact_email": "jean@descartes.example",
        "wished_slug": "descartes-api"}, format="json")
    assert quote.status_code == 201, quote.content
    body = quote.json()
    assert [(line["kind"], line["amount"]) for line in body["lines"]] == [
        ("recurring", "1200.00"), ("recurring", "200.00"), ("one_off", "300.00")]

    with django_capture_on_commit_callbacks(execute=True):
        sent = operator.post(f"/api/v1/quotes/{body['id']}/send/")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert len(sent.json()["pdf_sha256"]) == 64
    token = Quote.objects.get(pk=body["id"]).token
    assert f"http://localhost/quotes/sign/{token}/" in mailoutbox[-1].body


def test_signature_api_signs_without_an_account_and_refuses_a_second_time(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    quote = quote_sent(slug="sig-api")
    client = api_client("localhost")
    payload = {"signer_name": "Claire Martin", "signer_title": "Présidente", "signer_email": "claire@x.example",
               "accept_terms": True}

    first = client.post(f"/api/v1/quote-signatures/{quote.token}/", payload, format="json", REMOTE_ADDR="198.51.100.4")
    second = client.post(f"/api/v1/quote-signatures/{quote.token}/", payload, format="json")

    assert first.status_code == 201, first.content
    assert first.json()["invoice_number"] == "F2026-000001"
    assert first.json()["tenant_url"] == "http://sig-api.localhost/"
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "quote_already_signed"


def test_signature_api_error_shapes(quote_sent) -> None:
    quote = quote_sent()
    client = api_client("localhost")
    missing = client.post(f"/api/v1/quote-signatures/{quote.token}/", {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "validation_error"
    assert set(missing.json()["error"]["details"]) >= {"signer_name", "signer_email", "accept_terms"}
    refused = client.post(f"/api/v1/quote-signatures/{quote.token}/", {
        "signer_name": "A", "signer_title": "B", "signer_email": "a@b.example", "accept_terms": False}, format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "terms_not_accepted")
    unknown = client.post("/api/v1/quote-signatures/nope/", {
        "signer_name": "A", "signer_title": "B", "signer_email": "a@b.example", "accept_terms": True}, format="json")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")


def test_operator_revises_a_sent_quote_into_a_new_draft(operator, quote_sent) -> None:
    quote = quote_sent()
    response = operator.post(f"/api/v1/quotes/{quote.pk}/revise/")
    assert response.status_code == 201 and response.json()["status"] == "draft"
    assert operator.get(f"/api/v1/quotes/{quote.pk}/").json()["status"] == "superseded"
    again = operator.post(f"/api/v1/quotes/{quote.pk}/revise/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "quote_frozen")


def test_edit_of_a_signed_quote_answers_409(operator, signed) -> None:
    response = operator.patch(f"/api/v1/quotes/{signed.subscription.quote_id}/", {"seats": 5}, format="json")
    assert response.status_code == 409
    assert response.json() == {"error": {"code": "quote_frozen", "message": "A signed quote cannot be edited.",
                                         "details": {"status": "signed"}}}


def test_invalid_vat_number_answers_400_with_a_clear_code(operator, plan) -> None:
    response = operator.post("/api/v1/quotes/", {
        "plan": plan.code, "organisation_name": "X GmbH", "billing_address": "Berlin", "country": "DE",
        "vat_number": "DE000", "contact_name": "X", "contact_email": "x@x.example", "wished_slug": "x-gmbh"},
        format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_vat_number")


def test_operator_records_a_partial_transfer_and_lists_payments(operator, signed) -> None:
    url = f"/api/v1/invoices/{signed.invoice.pk}/payments/"
    response = operator.post(url, {"amount": "100.00"}, format="json")
    assert response.status_code == 201, response.content
    detail = operator.get(f"/api/v1/invoices/{signed.invoice.pk}/").json()
    assert (detail["status"], detail["amount_paid"], detail["balance_due"]) == ("issued", "100.00", "188.00")
    assert operator.get(url).json()["count"] == 1
    bad = operator.post(url, {"amount": "-5"}, format="json")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "validation_error")


def test_operator_issues_a_pro_forma_without_a_number(operator, quote_sent) -> None:
    quote = quote_sent()
    response = operator.post(f"/api/v1/quotes/{quote.pk}/pro-forma/")
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["kind"], response.json()["total_incl_tax"]) == (
        None, "pro_forma", "288.00")
    assert operator.get(f"/api/v1/invoices/{response.json()['id']}/pdf/").status_code == 302


def test_operator_downloads_the_invoice_pdf(operator, signed) -> None:
    response = operator.get(f"/api/v1/invoices/{signed.invoice.pk}/pdf/")
    assert response.status_code == 302
    assert "invoices/F2026-000001.pdf" in response["Location"]


def test_platform_api_is_for_operators_only(signed, demo) -> None:
    anonymous = api_client("localhost").get("/api/v1/invoices/")
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "not_authenticated")
    tenant_admin = api_client("demo.localhost", api_token("demo.localhost", "admin@demo.test"))
    assert tenant_admin.get("/api/v1/invoices/").status_code == 404  # not routed on a tenant host


def _signed_body(payload: dict) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_webhook_with_a_bad_signature_is_refused(signed, settings) -> None:
    settings.INVOICING_WEBHOOK_SECRET = SECRET
    body, _ = _signed_body({"reference": "pay_1", "invoice_number": "F2026-000001", "amount": "288.00"})
    response = Client(HTTP_HOST="localhost").post("/api/v1/payment-webhooks/provider/", body,
                                                   content_type="application/json", HTTP_X_SIGNATURE="sha256=00")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    assert not Payment.objects.exists()


def test_webhook_replay_records_the_payment_once(signed, settings) -> None:
    settings.INVOICING_WEBHOOK_SECRET = SECRET
    body, signature = _signed_body({"reference": "pay_42", "invoice_number": "F2026-000001", "amount": "288.00",
                                    "currency": "EUR"})
    client = Client(HTTP_HOST="localhost")
    responses = [client.post("/api/v1/payment-webhooks/provider/", body, content_type="application/json",
                             HTTP_X_SIGNATURE=signature) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert len({r.json()["id"] for r in responses}) == 1
    invoice = Invoice.objects.get(pk=signed.invoice.pk)
    assert (invoice.status, invoice.amount_paid) == (Invoice.Status.PAID, Decimal("288.00"))
    assert Payment.objects.count() == 1


def _tenant_admin(result) -> object:
    host = f"{result.tenant.slug}.localhost"
    with schema_context(result.tenant.schema_name):
        user = User.objects.get(email=result.subscription.buyer_email)
        user.set_password("a-long-password-2026")
        user.save()
    return api_client(host, api_token(host, user.email, "a-long-password-2026"))


def test_customer_administrator_sees_own_invoices_and_subscription(signed) -> None:
    client = _tenant_admin(signed)
    invoices = client.get("/api/v1/billing/invoices/")
    assert invoices.status_code == 200
    assert [i["number"] for i in invoices.json()["results"]] == ["F2026-000001"]
    subscription = client.get("/api/v1/billing/subscription/").json()
    # Nothing paid yet: paid through the start of the first period, invoiced through its end (GCS art. 3).
    assert (subscription["balance_due"], subscription["paid_through"], subscription["invoiced_through"]) == (
        "288.00", "2026-01-14T23:00:00Z", "2026-02-15")
    assert client.get(f"/api/v1/billing/invoices/{signed.invoice.pk}/pdf/").status_code == 302


def test_other_tenants_see_none_of_these_invoices(signed, demo) -> None:
    demo_admin = api_client("demo.localhost", api_token("demo.localhost", "admin@demo.test"))
    assert demo_admin.get("/api/v1/billing/invoices/").json()["count"] == 0
    assert demo_admin.get(f"/api/v1/billing/invoices/{signed.invoice.pk}/pdf/").status_code == 404
    assert demo_admin.get("/api/v1/billing/subscription/").status_code == 404
    learner = api_client("demo.localhost", api_token("demo.localhost", "learner1@demo.test"))
    assert learner.get("/api/v1/billing/invoices/").status_code == 403


def test_customer_administrator_cancels_with_explicit_confirmation(signed) -> None:
    client = _tenant_admin(signed)
    unconfirmed = client.post("/api/v1/billing/subscription/cancel/", {}, format="json")
    assert unconfirmed.status_code == 400
    done = client.post("/api/v1/billing/subscription/cancel/", {"confirm": True}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = client.post("/api/v1/billing/subscription/cancel/", {"confirm": True}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "subscription_state")


def test_billing_page_shows_subscription_invoices_balance_and_cancel_confirmation(signed) -> None:
    host = f"{signed.tenant.slug}.localhost"
    with schema_context(signed.tenant.schema_name):
        user = User.objects.get(email=signed.subscription.buyer_email)
    client = Client(HTTP_HOST=host)
    assert client.get("/billing/").status_code == 302  # login first
    client.force_login(user)
    page = client.get("/billing/")
    assert page.status_code == 200
    # The quote's organisation is French: its pages speak French and write amounts the French way.
    assert page.content.startswith(b'<!doctype html>\n\n<html lang="fr">')
    assert b"F2026-000001" in page.content and "288,00 €".encode() in page.content
    confirm = client.get("/billing/cancel/")
    assert "Aucune somme n’est remboursée".encode() in confirm.content
    assert client.post("/billing/cancel/").status_code == 302
    assert "Résiliée (accès jusqu&#x27;à la fin de la période payée)".encode() in client.get("/billing/").content


def test_openapi_schema_documents_the_invoicing_endpoints(demo_client) -> None:
    from drf_spectacular.generators import SchemaGenerator

    # The platform urlconf's schema (the /api/schema/ view of the shell renders the tenant urlconf).
    paths = SchemaGenerator(urlconf="mooc_platform.urls_public").get_schema(request=None, public=True)["paths"]
    assert {"/api/v1/plans/", "/api/v1/quotes/", "/api/v1/quotes/{quote_id}/send/", "/api/v1/invoices/",
            "/api/v1/invoices/{invoice_id}/pdf/", "/api/v1/invoices/{invoice_id}/payments/",
            "/api/v1/quote-signatures/{token}/", "/api/v1/payment-webhooks/provider/"} <= set(paths)
    assert b"/api/v1/billing/subscription/cancel/" in demo_client.get("/api/schema/").content
