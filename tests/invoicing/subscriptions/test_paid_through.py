"""Access after cancellation runs to the end of the period *paid* (SPEC R12 — GCS art. 3: "the remaining period
of his Contract and already paid by him"), not the period invoiced; a payment received later extends it."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import Invoice, Subscription
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent, Tenant
from tenants.routing import tenant_cache_clear
from tenants.services import lifecycle_run
from tests.invoicing.conftest import paris, sign


@pytest.fixture
def second_period_unpaid(quote_sent, clock):
    """Signed 15/01/2026, F2026-000001 paid; the billing run of 15/02 issues F2026-000002 (15/02–14/03, due
    17/03), unpaid: paid through 15/02 00:00 Paris, invoiced through 15/03."""
    clock(paris(2026, 1, 15, 9))
    signed = sign(quote_sent())
    services.payment_record(invoice=signed.invoice, amount="288.00")
    clock(paris(2026, 2, 15, 6))
    assert services.billing_run().numbers == ["F2026-000002"]
    return signed


def _subscription(signed) -> Subscription:
    return Subscription.objects.get(pk=signed.subscription.pk)


def test_paid_through_is_the_end_of_the_last_period_paid_not_invoiced(second_period_unpaid) -> None:
    subscription = _subscription(second_period_unpaid)
    assert services.subscription_paid_through(subscription=subscription) == paris(2026, 2, 15, 0)
    assert services.subscription_invoiced_through(subscription=subscription) == date(2026, 3, 15)


def test_cancelling_with_the_current_period_unpaid_ends_access_now_and_paying_it_gives_it_back(
        second_period_unpaid, clock) -> None:
    clock(paris(2026, 2, 20, 10))
    services.subscription_cancel(subscription=_subscription(second_period_unpaid))
    tenant = Tenant.objects.get(pk=second_period_unpaid.tenant.pk)
    assert (tenant.state, tenant.access_ends_at) == (Tenant.State.CANCELLED, paris(2026, 2, 20, 10))
    clock(paris(2026, 2, 21, 0, 5))
    lifecycle_run()
    assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.RETENTION

    clock(paris(2026, 3, 2, 11))  # the invoice still stands (no refund, GCS art. 3): paying it opens the period
    services.payment_record(invoice=Invoice.objects.get(number="F2026-000002"), amount="288.00")
    tenant = Tenant.objects.get(pk=tenant.pk)
    assert (tenant.state, tenant.access_ends_at, tenant.retention_ends_at) == (
        Tenant.State.CANCELLED, paris(2026, 3, 15, 0), paris(2026, 9, 11, 0))
    event = AuditEvent.objects.filter(tenant=tenant, action="tenant.access_extended").get()
    assert (event.before["state"], event.after["access_ends_at"]) == ("retention", "2026-03-15T00:00:00+01:00")
    clock(paris(2026, 3, 14, 23, 59))
    assert lifecycle_run().retention_started == []
    clock(paris(2026, 3, 15, 0))
    assert [slug for slug, _ in lifecycle_run().retention_started] == [tenant.slug]


def test_cancelling_with_every_invoice_paid_keeps_access_to_the_end_of_the_period(second_period_unpaid,
                                                                                  clock) -> None:
    services.payment_record(invoice=Invoice.objects.get(number="F2026-000002"), amount="288.00")
    clock(paris(2026, 2, 20, 10))
    services.subscription_cancel(subscription=_subscription(second_period_unpaid))
    tenant = Tenant.objects.get(pk=second_period_unpaid.tenant.pk)
    assert (tenant.state, tenant.access_ends_at) == (Tenant.State.CANCELLED, paris(2026, 3, 15, 0))


def _admin_client(signed, language: str) -> Client:
    tenant = Tenant.objects.get(pk=signed.tenant.pk)
    Tenant.objects.filter(pk=tenant.pk).update(language=language)
    tenant_cache_clear()
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    with schema_context(tenant.schema_name):
        admin = User.objects.get(email=signed.subscription.buyer_email)
        User.objects.filter(pk=admin.pk).update(language=language)
        client.force_login(admin)
    return client


@pytest.mark.parametrize(("language", "paid", "invoiced", "access", "dates"), [
    ("en", "Paid through", "Invoiced through", "Access continues until",
     ("Feb. 15, 2026", "March 15, 2026", "Feb. 20, 2026, 10 a.m.")),
    ("fr", "Payé jusqu’au", "Facturé jusqu’au", "L’accès continue jusqu’au",
     ("15 février 2026", "15 mars 2026", "20 février 2026 10:00")),
])
def test_billing_page_says_paid_through_and_invoiced_through_truthfully(second_period_unpaid, clock, language,
                                                                       paid, invoiced, access, dates) -> None:
    client = _admin_client(second_period_unpaid, language)
    page = client.get("/billing/").content.decode()
    assert f'{paid} <span data-testid="paid-through">{dates[0]}</span>' in page
    assert f'{invoiced} <span data-testid="invoiced-through">{dates[1]}</span>' in page
    clock(paris(2026, 2, 20, 10))
    services.subscription_cancel(subscription=_subscription(second_period_unpaid))
    page = client.get("/billing/").content.decode()
    assert f'{access} <span data-testid="access-ends">{dates[2]}</span>' in page
