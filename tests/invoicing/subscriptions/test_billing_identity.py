"""SPEC R28 — the customer's administrators keep its billing identity current (GCS definitions): address, VAT
number (checked, VIES when on), SIREN and invoice e-mail; issued invoices keep their frozen snapshot, the next
invoice uses the new data; audited. Through the service, the page and the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import Invoice, Subscription, VatNumberCheck
from invoicing.vat import InvalidVatNumberError
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent, Tenant
from tenants.routing import tenant_cache_clear
from tests.factories import UserFactory
from tests.helpers import api_client
from tests.invoicing.helpers import paris, sign


@pytest.fixture
def signed(quote_sent, clock):
    """Signed 15/01/2026 by a French buyer: F2026-000001 issued with the quoted identity."""
    clock(paris(2026, 1, 15, 9))
    return sign(quote_sent(siren="", billing_address="60 rue du Plat d'Étain, 37000 Tours"))


def _subscription(signed) -> Subscription:
    return Subscription.objects.get(pk=signed.subscription.pk)


def _admin(signed) -> User:
    with schema_context(signed.tenant.schema_name):
        return User.objects.get(email=signed.subscription.buyer_email)


def test_new_identity_goes_on_the_next_invoice_and_the_issued_one_keeps_its_snapshot(signed, clock) -> None:
    first = Invoice.objects.get(pk=signed.invoice.pk)
    frozen = dict(first.buyer)
    clock(paris(2026, 2, 1, 10))
    services.subscription_billing_identity_update(
        subscription=_subscription(signed), actor=_admin(signed), billing_address="  3 rue des Tanneurs\n37000 Tours ",
        vat_number="FR 40 303 265 045", siren="303 265 045", billing_email="Compta@Tours.example")
    subscription = _subscription(signed)
    assert (subscription.buyer_address, subscription.buyer_vat_number, subscription.buyer_siren,
            subscription.buyer_email) == ("3 rue des Tanneurs\n37000 Tours", "FR40303265045", "303265045",
                                          "compta@tours.example")
    first.refresh_from_db()
    assert first.buyer == frozen and first.buyer["address"] == "60 rue du Plat d'Étain, 37000 Tours"
    services.payment_record(invoice=first, amount="288.00")
    clock(paris(2026, 2, 15, 6))
    assert services.billing_run().numbers == ["F2026-000002"]
    second = Invoice.objects.get(number="F2026-000002")
    assert second.buyer == {"name": subscription.buyer_name, "address": "3 rue des Tanneurs\n37000 Tours",
                            "country": "FR", "vat_number": "FR40303265045", "siren": "303265045",
                            "email": "compta@tours.example"}
    event = AuditEvent.objects.get(action="subscription.billing_identity_updated")
    assert event.before == {"buyer_address": "60 rue du Plat d'Étain, 37000 Tours", "buyer_vat_number": "",
                            "buyer_siren": "", "buyer_email": signed.subscription.buyer_email}
    assert event.after["buyer_siren"] == "303265045" and event.actor_email == signed.subscription.buyer_email


@pytest.mark.parametrize(("fields", "code", "detail"), [
    ({"vat_number": "FR00000000000"}, "invalid_vat_number", "vat_number"),
    ({"vat_number": "DE136695976"}, "invalid_vat_number", "vat_number"),  # another country's number
    ({"siren": "123456789"}, "invalid_siren", "siren"),
    ({"billing_email": "compta@"}, "invalid_billing_identity", "billing_email"),
    ({"billing_address": "   "}, "invalid_billing_identity", "billing_address"),
])
def test_bad_identity_is_refused_with_its_field_and_changes_nothing(signed, fields, code, detail) -> None:
    before = _subscription(signed)
    with pytest.raises(InvalidVatNumberError if code.startswith("invalid_vat") or code == "invalid_siren"
                       else services.BillingIdentityError) as refused:
        services.subscription_billing_identity_update(subscription=before, actor=_admin(signed),
                                                      **{"billing_address": "Elsewhere", **fields})
    assert refused.value.code == code and detail in refused.value.details
    after = _subscription(signed)
    assert (after.buyer_address, after.buyer_vat_number, after.buyer_siren, after.buyer_email) == (
        before.buyer_address, before.buyer_vat_number, before.buyer_siren, before.buyer_email)
    assert not AuditEvent.objects.filter(action="subscription.billing_identity_updated").exists()


def test_vies_refusal_keeps_the_old_number_and_records_the_consultation(quote_sent, clock, fake_vies) -> None:
    clock(paris(2026, 4, 1, 9))
    signed = sign(quote_sent(country="DE", vat_number="DE136695976"))
    with pytest.raises(InvalidVatNumberError) as refused:
        services.subscription_billing_identity_update(subscription=_subscription(signed), actor=None,
                                                      vat_number="DE129273398")
    assert refused.value.code == "vat_number_not_registered"
    assert _subscription(signed).buyer_vat_number == "DE136695976"
    assert VatNumberCheck.objects.filter(vat_number="DE129273398", result="invalid").count() == 1


def test_nothing_different_is_not_audited(signed) -> None:
    subscription = _subscription(signed)
    services.subscription_billing_identity_update(subscription=subscription, actor=None,
                                                  billing_email=subscription.buyer_email.upper())
    assert not AuditEvent.objects.filter(action="subscription.billing_identity_updated").exists()


def _client(signed, *, language: str = "en", email: str | None = None) -> Client:
    tenant = Tenant.objects.get(pk=signed.tenant.pk)
    Tenant.objects.filter(pk=tenant.pk).update(language=language)
    tenant_cache_clear()
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    with schema_context(tenant.schema_name):
        user = User.objects.get(email=email or signed.subscription.buyer_email)
        User.objects.filter(pk=user.pk).update(language=language)
        client.force_login(user)
    return client


@pytest.mark.parametrize(("language", "heading", "saved"), [
    ("en", "Billing details", "Your billing details are saved."),
    ("fr", "Coordonnées de facturation", "Vos coordonnées de facturation sont enregistrées."),
])
def test_administrator_updates_the_identity_on_the_page(signed, language, heading, saved) -> None:
    client = _client(signed, language=language)
    page = client.get("/billing/identity/").content.decode()
    assert f"<h1>{heading}</h1>" in page and "60 rue du Plat d&#x27;Étain, 37000 Tours</textarea>" in page
    answer = client.post("/billing/identity/", {"billing_address": "3 rue des Tanneurs, 37000 Tours",
                                                "vat_number": "", "siren": "303265045",
                                                "billing_email": "compta@tours.example"}, follow=True)
    page = answer.content.decode()
    assert saved in page and "3 rue des Tanneurs, 37000 Tours" in page and "SIREN 303265045" in page
    assert _subscription(signed).buyer_siren == "303265045"


def test_page_shows_the_error_on_its_field_and_keeps_what_was_typed(signed) -> None:
    answer = _client(signed).post("/billing/identity/", {"billing_address": "3 rue des Tanneurs", "vat_number": "",
                                                         "siren": "123456789", "billing_email": "compta@tours.example"})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert 'data-testid="error-siren"> This SIREN is not valid.' in page and "\n3 rue des Tanneurs</textarea>" in page
    assert _subscription(signed).buyer_siren == ""


def test_api_reads_and_patches_the_identity_and_refuses_learners(signed) -> None:
    from mooc_platform.accounts.tokens import token_issue

    host = f"{signed.tenant.slug}.localhost"
    with schema_context(signed.tenant.schema_name):
        admin_token = token_issue(user=User.objects.get(email=signed.subscription.buyer_email))[1]
        learner = UserFactory(email="learner@tours.example")
        learner_token = token_issue(user=learner)[1]
    client = api_client(host, admin_token)
    assert client.get("/api/v1/billing/identity/").json()["billing_address"] == "60 rue du Plat d'Étain, 37000 Tours"
    answer = client.patch("/api/v1/billing/identity/", {"billing_email": "compta@tours.example"}, format="json")
    assert answer.status_code == 200 and answer.json()["billing_email"] == "compta@tours.example"
    refused = client.patch("/api/v1/billing/identity/", {"vat_number": "FR00000000000"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_vat_number"
    assert _subscription(signed).buyer_email == "compta@tours.example"
    assert api_client(host, learner_token).patch("/api/v1/billing/identity/", {"billing_email": "x@y.example"},
                                                 format="json").status_code == 403
