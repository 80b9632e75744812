"""Resubscription during retention (SPEC R14), with the clock moved: cancel → paid-through date → retention →
resubscribe on day 179 → the tenant is back untouched and billed again; refused after the purge."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import Invoice, InvoiceSeries, Quote, Subscription
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent, Tenant
from tenants.services import IllegalTransitionError, lifecycle_run
from tests.helpers import api_client, api_token
from tests.invoicing.helpers import paris, sign
from tests.tenants.helpers import put_media, s3_keys


@pytest.fixture
def in_retention(quote_sent, clock):
    """Signed on 15/01/2026 (F2026-000001, EUR 288.00, paid), cancelled on 20/01, access ended on 15/02 00:00
    Paris: in retention until 14/08/2026 00:00 Paris. A learner and a media file live in the tenant."""
    clock(paris(2026, 1, 15, 9))
    signed = sign(quote_sent())
    services.payment_record(invoice=signed.invoice, amount="288.00")
    with schema_context(signed.tenant.schema_name):
        User.objects.create_user(email="learner@keep.example", password="a-long-password-2026")
    put_media(signed.tenant, "lesson.mp4", b"video")
    clock(paris(2026, 1, 20, 10))
    services.subscription_cancel(subscription=signed.subscription)
    clock(paris(2026, 2, 15, 0))
    lifecycle_run()
    signed.tenant.refresh_from_db()
    assert signed.tenant.state == Tenant.State.RETENTION
    assert signed.tenant.retention_ends_at == paris(2026, 8, 14, 0)
    return signed


def _admin(signed: services.SignResult) -> User:
    with schema_context(signed.tenant.schema_name):
        return User.objects.get(email=signed.subscription.buyer_email)


def test_resubscribe_on_day_179_restores_the_tenant_untouched_and_issues_the_next_invoice(
        in_retention, clock, plan) -> None:
    tenant = in_retention.tenant
    clock(paris(2026, 3, 1, 9))
    services.plan_price_change(plan=plan, flat_amount=Decimal("120.00"))  # during retention: new prices apply
    clock(paris(2026, 8, 13, 9))  # day 179 of retention
    result = services.subscription_resubscribe(tenant=tenant, accept_terms=True, actor=_admin(in_retention),
                                               ip_address="203.0.113.9", user_agent="pytest")

    tenant.refresh_from_db()
    assert (tenant.state, tenant.access_ends_at, tenant.retention_ends_at) == ("active", None, None)
    with schema_context(tenant.schema_name):
        assert User.objects.filter(email="learner@keep.example").exists()
    assert len(s3_keys(tenant)) == 1

    invoice = result.invoice
    assert invoice.number == "F2026-000002"
    assert (invoice.period_start, invoice.period_end) == (date(2026, 8, 13), date(2026, 9, 13))
    # 120.00 flat + 50 × 2.80 = 260.00 excl. tax at today's prices, no setup fee; FR VAT 20 %.
    assert (invoice.total_excl_tax, invoice.total_vat, invoice.total_incl_tax) == (
        Decimal("260.00"), Decimal("52.00"), Decimal("312.00"))
    assert invoice.tenant_id == tenant.pk and invoice.due_date == date(2026, 9, 12)

    subscription = result.subscription
    assert (subscription.status, subscription.anchor_date, subscription.next_period_start) == (
        "active", date(2026, 8, 13), date(2026, 9, 13))
    assert subscription.initial_period_ends_on == date(2027, 8, 13)
    assert Subscription.objects.get(pk=in_retention.subscription.pk).status == "cancelled"
    quote = subscription.quote
    assert (quote.status, quote.wished_slug, len(quote.pdf_sha256)) == (Quote.Status.SIGNED, tenant.slug, 64)
    assert (quote.signature.signer_email, quote.signature.ip_address) == (
        in_retention.subscription.buyer_email, "203.0.113.9")
    assert set(AuditEvent.objects.filter(tenant=tenant, created_at__gte=paris(2026, 8, 13, 9))
               .values_list("action", flat=True)) >= {"tenant.resubscribed", "quote.signed", "subscription.created",
                                                      "invoice.issued"}

    # The original destruction date passes: nothing is destroyed; the billing run bills the new subscription.
    clock(paris(2026, 8, 15, 9))
    assert lifecycle_run().purged == []
    clock(paris(2026, 9, 13, 9))
    assert services.billing_run().numbers == ["F2026-000003"]


def test_resubscribe_is_refused_after_the_purge_and_consumes_no_number(in_retention, clock) -> None:
    tenant = in_retention.tenant
    clock(paris(2026, 8, 14, 0))
    assert [slug for slug, _ in lifecycle_run().purged] == [tenant.slug]
    clock(paris(2026, 8, 14, 9))
    with pytest.raises(IllegalTransitionError):
        services.subscription_resubscribe(tenant=tenant, accept_terms=True, actor=None)
    tenant.refresh_from_db()
    assert tenant.state == Tenant.State.PURGED
    assert InvoiceSeries.objects.get(prefix="F").last_number == 1
    assert Subscription.objects.filter(tenant=tenant).count() == 1


def test_resubscribe_is_refused_while_an_invoice_is_overdue(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    signed = sign(quote_sent())
    services.subscription_cancel(subscription=signed.subscription)
    clock(paris(2026, 2, 15, 0))
    lifecycle_run()
    clock(paris(2026, 3, 1, 9))
    with pytest.raises(services.OverdueBalanceError) as refused:
        services.subscription_resubscribe(tenant=signed.tenant, accept_terms=True, actor=None)
    assert refused.value.details == {"invoices": ["F2026-000001"]}
    signed.tenant.refresh_from_db()
    assert signed.tenant.state == Tenant.State.RETENTION
    services.dunning_run()  # late since 14/02: EUR 40.00 indemnity + interest, due too
    signed.invoice.refresh_from_db()
    services.payment_record(invoice=signed.invoice, amount=signed.invoice.balance_due)
    assert services.subscription_resubscribe(tenant=signed.tenant, accept_terms=True,
                                             actor=None).invoice.number == "F2026-000002"


def test_an_invoice_due_today_blocks_resubscription_as_it_blocks_reinstatement(quote_sent, clock) -> None:
    """One "due" (invoicing.selectors.invoices.due_q): the due date itself counts, for both."""
    clock(paris(2026, 1, 15, 9))
    signed = sign(quote_sent())
    services.subscription_cancel(subscription=signed.subscription)
    signed.invoice.refresh_from_db()
    clock(paris(2026, 1, 15, 9) + timedelta(days=(signed.invoice.due_date - date(2026, 1, 15)).days))
    with pytest.raises(services.OverdueBalanceError) as refused:
        services.subscription_resubscribe(tenant=signed.tenant, accept_terms=True, actor=None)
    assert refused.value.details == {"invoices": ["F2026-000001"]}


def test_resubscribe_needs_explicit_acceptance_and_a_tenant_that_left(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    signed = sign(quote_sent())
    with pytest.raises(services.TermsNotAcceptedError):
        services.subscription_resubscribe(tenant=signed.tenant, accept_terms=False, actor=None)
    with pytest.raises(IllegalTransitionError):  # still active
        services.subscription_resubscribe(tenant=signed.tenant, accept_terms=True, actor=None)
    assert Invoice.objects.filter(tenant=signed.tenant).count() == 1


def test_customer_administrator_resubscribes_from_the_billing_page(in_retention, clock) -> None:
    tenant = in_retention.tenant
    clock(paris(2026, 6, 1, 9))
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    with schema_context(tenant.schema_name):
        client.force_login(_admin(in_retention))
    page = client.get("/billing/")
    assert page.status_code == 200
    assert b'data-testid="resubscribe-form"' in page.content

    refused = client.post("/billing/resubscribe/", {}, follow=True)
    assert refused.status_code == 200
    tenant.refresh_from_db()
    assert tenant.state == Tenant.State.RETENTION

    done = client.post("/billing/resubscribe/", {"accept_terms": "on"}, follow=True)
    assert done.status_code == 200
    assert b"F2026-000002" in done.content
    assert b'data-testid="resubscribe-form"' not in done.content
    tenant.refresh_from_db()
    assert tenant.state == Tenant.State.ACTIVE
    connection.set_schema_to_public()


def test_customer_administrator_resubscribes_through_the_api(in_retention, clock) -> None:
    tenant = in_retention.tenant
    host = f"{tenant.slug}.localhost"
    with schema_context(tenant.schema_name):
        admin = User.objects.get(email=in_retention.subscription.buyer_email)
        admin.set_password("a-long-password-2026")
        admin.save()
    clock(paris(2026, 2, 15, 0) + timedelta(days=10))
    client = api_client(host, api_token(host, admin.email, "a-long-password-2026"))
    unaccepted = client.post("/api/v1/billing/subscription/resubscribe/", {"accept_terms": False}, format="json")
    assert (unaccepted.status_code, unaccepted.json()["error"]["code"]) == (400, "terms_not_accepted")
    done = client.post("/api/v1/billing/subscription/resubscribe/", {"accept_terms": True}, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["invoice_number"] == "F2026-000002"
    assert (done.json()["subscription"]["status"], done.json()["subscription"]["balance_due"]) == ("active", "288.00")
    again = client.post("/api/v1/billing/subscription/resubscribe/", {"accept_terms": True}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "illegal_transition")


def test_resubscribe_before_the_paid_through_date_starts_the_new_period_where_the_paid_one_ends(
        quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    signed = sign(quote_sent())
    services.payment_record(invoice=signed.invoice, amount="288.00")
    clock(paris(2026, 1, 20, 10))
    services.subscription_cancel(subscription=signed.subscription)
    clock(paris(2026, 1, 25, 10))  # still cancelled, access until 15/02 00:00 Paris: nothing paid twice
    result = services.subscription_resubscribe(tenant=signed.tenant, accept_terms=True, actor=None)
    signed.tenant.refresh_from_db()
    assert (signed.tenant.state, signed.tenant.access_ends_at) == ("active", None)
    assert (result.invoice.number, result.invoice.issue_date, result.invoice.period_start,
            result.invoice.period_end) == ("F2026-000002", date(2026, 1, 25), date(2026, 2, 15), date(2026, 3, 15))
    assert result.subscription.anchor_date == date(2026, 2, 15)
    clock(paris(2026, 2, 15, 9))
    assert services.billing_run().numbers == []  # the period from 15/02 is already invoiced
