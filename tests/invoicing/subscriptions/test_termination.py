"""Termination is final for the customer (SPEC R13 — GCS art. 3): the operator terminates, the subscription is
closed, invoices of periods after the termination are no longer dunned (a credit note is proposed to the
operator); the customer cannot resubscribe itself — only an operator lifts the termination, audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import Invoice, Subscription
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent, Tenant
from tenants.services import TenantTerminatedError, tenant_termination_lift
from tests.conftest import api_client, api_token
from tests.invoicing.conftest import paris, sign


@pytest.fixture
def billed_twice(quote_sent, clock):
    """Signed 15/01/2026, F2026-000001 (15/01–14/02) paid; the billing run of Sunday 15/02 06:00 issues
    F2026-000002 for 15/02–14/03 (EUR 288.00, due 17/03), unpaid."""
    clock(paris(2026, 1, 15, 9))
    signed = sign(quote_sent())
    services.payment_record(invoice=signed.invoice, amount="288.00")
    clock(paris(2026, 2, 15, 6))
    assert services.billing_run().numbers == ["F2026-000002"]
    return signed


@pytest.fixture
def operator(db: None):
    return api_client("localhost", api_token("localhost", "operator@demo.test"))


def _admin_client(signed) -> tuple[Client, object]:
    host = f"{signed.tenant.slug}.localhost"
    with schema_context(signed.tenant.schema_name):
        admin = User.objects.get(email=signed.subscription.buyer_email)
        admin.set_password("a-long-password-2026")
        admin.save()
        client = Client(HTTP_HOST=host)
        client.force_login(admin)
    return client, api_client(host, api_token(host, admin.email, "a-long-password-2026"))


def test_termination_closes_the_subscription_and_proposes_a_credit_note_for_the_period_after_it(
        billed_twice, clock, operator) -> None:
    clock(paris(2026, 2, 15, 10))  # the period of F2026-000002 starts today: access to it ends with the contract
    response = operator.post(f"/api/v1/tenants/{billed_twice.tenant.pk}/terminate/",
                             {"reason": "offence", "details": "unlawful content"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["terminated_at"]) == ("retention", "2026-02-15T09:00:00Z")

    subscription = Subscription.objects.get(pk=billed_twice.subscription.pk)
    assert (subscription.status, subscription.cancelled_at) == ("cancelled", paris(2026, 2, 15, 10))
    second = Invoice.objects.get(number="F2026-000002")
    assert (second.status, second.credit_note_proposed_at) == ("issued", paris(2026, 2, 15, 10))
    assert Invoice.objects.get(number="F2026-000001").credit_note_proposed_at is None
    actions = list(AuditEvent.objects.filter(tenant=billed_twice.tenant, created_at__gte=paris(2026, 2, 15, 10))
                   .order_by("id").values_list("action", "actor_email"))
    assert actions == [("tenant.terminated", "operator@demo.test"), ("subscription.terminated", "operator@demo.test"),
                       ("invoice.credit_note_proposed", "operator@demo.test")]
    listed = operator.get("/api/v1/invoices/?credit_note_proposed=true").json()
    assert [(i["number"], i["credit_note_proposed_at"]) for i in listed["results"]] == [
        ("F2026-000002", "2026-02-15T09:00:00Z")]

    # No reminder, no formal notice, no late charges on it; the billing run issues nothing more.
    for day in (date(2026, 3, 10), date(2026, 3, 17), date(2026, 4, 30)):
        clock(paris(day.year, day.month, day.day, 6))
        result = services.dunning_run()
        assert (result.reminders, result.formal_notices, result.late_charged) == (0, 0, 0)
        assert services.billing_run().numbers == []
    second.refresh_from_db()
    assert (second.reminder_sent_at, second.formal_notice_sent_at, second.recovery_indemnity) == (
        None, None, Decimal("0.00"))

    # The operator decides: the credit note settles it, and the proposal leaves the list.
    note = services.credit_note_issue(invoice=second, reason="Period after the termination")
    assert note.total_incl_tax == Decimal("-288.00")
    assert operator.get("/api/v1/invoices/?credit_note_proposed=true").json()["results"] == []


def test_an_invoice_of_a_period_begun_before_the_termination_is_still_dunned(billed_twice, clock) -> None:
    clock(paris(2026, 2, 16, 10))  # one day into the period of F2026-000002
    services.subscription_terminate(tenant=billed_twice.tenant, reason="non_payment", actor=None)
    assert Invoice.objects.get(number="F2026-000002").credit_note_proposed_at is None
    clock(paris(2026, 3, 17, 6))
    assert services.dunning_run().formal_notices == 1


def test_a_terminated_customer_cannot_resubscribe_itself_by_service_page_or_api(billed_twice, clock) -> None:
    clock(paris(2026, 2, 16, 10))
    services.subscription_terminate(tenant=billed_twice.tenant, reason="data_volume", actor=None)
    services.payment_record(invoice=Invoice.objects.get(number="F2026-000002"), amount="288.00")
    tenant = Tenant.objects.get(pk=billed_twice.tenant.pk)
    assert (tenant.state, tenant.access_ends_at) == ("retention", paris(2026, 2, 16, 10))  # paying restores nothing

    with pytest.raises(TenantTerminatedError) as refused:
        services.subscription_resubscribe(tenant=tenant, accept_terms=True, actor=None)
    assert refused.value.code == "tenant_terminated"
    page_client, api = _admin_client(billed_twice)
    page = page_client.get("/billing/").content.decode()
    assert 'data-testid="terminated-notice"' in page and 'data-testid="resubscribe-form"' not in page
    page_client.post("/billing/resubscribe/", {"accept_terms": "on"})
    response = api.post("/api/v1/billing/subscription/resubscribe/", {"accept_terms": True}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "tenant_terminated")
    assert Subscription.objects.filter(tenant=tenant).count() == 1
    assert Tenant.objects.get(pk=tenant.pk).state == "retention"


def test_only_an_operator_lifts_a_termination_audited_and_then_the_customer_may_resubscribe(
        billed_twice, clock, operator) -> None:
    clock(paris(2026, 2, 16, 10))
    services.subscription_terminate(tenant=billed_twice.tenant, reason="non_payment", actor=None)
    services.payment_record(invoice=Invoice.objects.get(number="F2026-000002"), amount="288.00")
    _, customer = _admin_client(billed_twice)
    url = f"/api/v1/tenants/{billed_twice.tenant.pk}/lift-termination/"
    assert customer.post(url, {"reason": "mine"}, format="json").status_code == 403  # not on the tenant's host
    assert Tenant.objects.get(pk=billed_twice.tenant.pk).terminated_at == paris(2026, 2, 16, 10)
    assert operator.post(url, {}, format="json").status_code == 400

    clock(paris(2026, 3, 1, 9))
    lifted = operator.post(url, {"reason": "Paid in full, agreement of 28/02"}, format="json")
    assert lifted.status_code == 200, lifted.content
    assert (lifted.json()["state"], lifted.json()["terminated_at"]) == ("retention", None)
    event = AuditEvent.objects.get(tenant=billed_twice.tenant, action="tenant.termination_lifted")
    assert (event.actor_email, event.before["terminated_at"], event.after["reason"]) == (
        "operator@demo.test", "2026-02-16T09:00:00+00:00", "Paid in full, agreement of 28/02")
    again = operator.post(url, {"reason": "twice"}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "illegal_transition")

    result = services.subscription_resubscribe(tenant=billed_twice.tenant, accept_terms=True, actor=None)
    assert (result.invoice.number, result.invoice.period_start) == ("F2026-000003", date(2026, 3, 15))
    assert Tenant.objects.get(pk=billed_twice.tenant.pk).state == "active"


def test_lifting_needs_a_terminated_tenant_and_a_reason(billed_twice) -> None:
    with pytest.raises(Exception) as refused:
        tenant_termination_lift(tenant=billed_twice.tenant, actor=None, reason="")
    assert refused.value.code == "validation_error"
    with pytest.raises(Exception) as refused:
        tenant_termination_lift(tenant=billed_twice.tenant, actor=None, reason="not terminated")
    assert refused.value.code == "illegal_transition"
