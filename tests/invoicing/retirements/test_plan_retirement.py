"""Discontinuation with six months' notice (SPEC R24 — GCS art. 1): an operator retires a plan from the console
after a confirmation page naming every customer and its end of access; each customer is e-mailed in its language;
its access runs to the later of its paid-through date and six months after the notice (Paris wall clock, across
DST); renewals stop; export reminders go out 30 and 7 days before, exactly once each; then the lifecycle of a
cancellation (retention 180 days, destruction)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from invoicing import services
from invoicing.models import BillingPeriod, Plan, PlanRetirement, Subscription, SubscriptionRetirement
from tenants.models import AuditEvent, Tenant
from tenants.services import lifecycle_run
from tests.factories import PlanFactory
from tests.helpers import console_client
from tests.invoicing.helpers import paris, sign, unique_slug

IP = "203.0.113.71"


@pytest.fixture
def customers(quote_sent, plan, clock):
    """Two customers of the monthly plan: Tours (French) signed 13/02/2026, Leeds (English) signed 02/03/2026;
    the billing run of 13/03 invoices Tours's second month (13/03–12/04)."""
    clock(paris(2026, 2, 13, 9))
    tours = sign(quote_sent())
    clock(paris(2026, 3, 2, 9))
    leeds = sign(quote_sent(organisation_name="Leeds College", language="en", slug=unique_slug("leeds")))
    clock(paris(2026, 3, 13, 6))
    assert len(services.billing_run().numbers) == 1
    return tours, leeds


def _tenant(result) -> Tenant:
    return Tenant.objects.get(pk=result.tenant.pk)


def test_the_console_states_who_loses_access_when_then_retires_the_plan(
        customers, plan, clock, django_capture_on_commit_callbacks) -> None:
    tours, leeds = customers
    clock(paris(2026, 3, 20, 10))  # CET; six months later is CEST
    console = console_client(REMOTE_ADDR=IP)
    listing = console.get("/console/plans/").content.decode()
    assert plan.name in listing and f"/console/plans/{plan.pk}/retire/" in listing
    page = console.get(f"/console/plans/{plan.pk}/retire/").content.decode()
    assert "Its 2 customers are e-mailed now" in page
    assert "Université de Tours" in page and "Leeds College" in page
    assert "09/20/2026 10 a.m." in page  # both: six months after the notice beats their paid-through dates
    refused = console.post(f"/console/plans/{plan.pk}/retire/", {"reason": ""})
    assert refused.status_code == 400 and not PlanRetirement.objects.exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = console.post(f"/console/plans/{plan.pk}/retire/", {"reason": "Replaced by the Campus plan."})
    assert done.status_code == 302 and done["Location"] == "/console/plans/"
    assert Plan.objects.get(pk=plan.pk).is_active is False
    for result in (tours, leeds):
        tenant = _tenant(result)
        assert (tenant.state, tenant.access_ends_at) == (Tenant.State.CANCELLED, paris(2026, 9, 20, 10))
        assert tenant.retention_ends_at == paris(2027, 3, 19, 10)
        assert Subscription.objects.get(tenant=tenant).status == Subscription.Status.CANCELLED
    assert SubscriptionRetirement.objects.get(tenant=tours.tenant).paid_through == paris(2026, 4, 13, 0)
    assert AuditEvent.objects.get(action="plan.retired").ip_address == IP
    assert AuditEvent.objects.filter(action="subscription.plan_retired", actor_email="operator@demo.test").count() == 2
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [f"Leeds College: the {plan.name} plan is being discontinued",
                        f"Université de Tours : fin de commercialisation de l'offre {plan.name}"]
    french = next(m for m in mail.outbox if m.subject.startswith("Université"))
    assert "jusqu'au 20 septembre 2026 10:00 (heure de Paris)" in french.body
    assert "Replaced by the Campus plan." in french.body
    assert "<strong>Votre accès continue jusqu'au 20 septembre 2026 10:00" in french.alternatives[0][0]

    listing = console.get("/console/plans/").content.decode()
    assert "Retired" in listing and "access until 09/20/2026 10 a.m." in listing
    detail = console.get(f"/console/organisations/{tours.tenant.pk}/").content.decode()
    assert f"Notice: the plan {plan.name} is retired" in detail
    assert "Export reminder: access ends in 30 days" in detail
    again = console.get(f"/console/plans/{plan.pk}/retire/", follow=True).content.decode()
    assert "This plan is already retired." in again

    # Renewals stop: Tours's period of 13/04 is not invoiced.
    clock(paris(2026, 4, 13, 6))
    assert services.billing_run().numbers == []


def test_export_reminders_go_out_30_and_7_days_before_exactly_once_then_retention(
        customers, plan, clock, django_capture_on_commit_callbacks) -> None:
    tours, leeds = customers
    clock(paris(2026, 3, 20, 10))
    services.plan_retire(plan=plan, actor=None)
    clock(paris(2026, 8, 21, 9, 59))
    assert services.contract_deadlines_run().retirements.reminders == []
    clock(paris(2026, 8, 21, 10))
    out = StringIO()
    call_command("run_contract_deadlines", "--dry-run", stdout=out)
    assert f"would send export reminder: {tours.tenant.slug} (30 days before" in out.getvalue()
    assert not SubscriptionRetirement.objects.filter(reminder_30_sent_at__isnull=False).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert len(services.contract_deadlines_run().retirements.reminders) == 2
        assert services.contract_deadlines_run().retirements.reminders == []
    assert sorted(m.subject for m in mail.outbox) == [
        "Leeds College: access ends in 30 days — download an export",
        "Université de Tours : fin de l'accès dans 30 jours — téléchargez un export"]
    assert "/exports/" in mail.outbox[0].body
    clock(paris(2026, 9, 13, 10))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert [days for _, days in services.plan_retirement_reminders_due(now=paris(2026, 9, 13, 10))] == [7, 7]
        services.contract_deadlines_run()
        services.contract_deadlines_run()
    assert len(mail.outbox) == 2 and all("7" in m.subject for m in mail.outbox)
    assert AuditEvent.objects.filter(action="subscription.plan_retirement_reminder_7").count() == 2

    # Then the lifecycle of a cancellation: retention at the end of access, destruction 180 days later.
    clock(paris(2026, 9, 20, 9, 59))
    assert lifecycle_run().retention_started == []
    clock(paris(2026, 9, 20, 10))
    assert sorted(slug for slug, _ in lifecycle_run().retention_started) == sorted(
        [tours.tenant.slug, leeds.tenant.slug])
    assert _tenant(tours).state == Tenant.State.RETENTION
    assert services.contract_deadlines_run().retirements.reminders == []


def test_the_paid_through_date_wins_when_it_is_later(quote_sent, clock) -> None:
    annual = PlanFactory(code=unique_slug("annual"), billing_period=BillingPeriod.ANNUAL,
                         flat_amount=Decimal("2400.00"), per_seat_amount=Decimal("0"))
    clock(paris(2026, 1, 10, 9))
    result = sign(quote_sent(plan_=annual))
    clock(paris(2026, 3, 20, 10))
    services.plan_retire(plan=annual, actor=None)
    tenant = _tenant(result)
    assert tenant.access_ends_at == paris(2027, 1, 10, 0)  # the year already invoiced
    assert Subscription.objects.get(tenant=tenant).next_period_start == date(2027, 1, 10)


def test_a_retired_plan_is_not_sold_again_nor_resubscribed(customers, plan, clock) -> None:
    tours, _ = customers
    clock(paris(2026, 3, 20, 10))
    services.plan_retire(plan=plan, actor=None)
    with pytest.raises(services.PlanRetiredError):
        services.plan_retire(plan=plan, actor=None)
    clock(paris(2026, 10, 1, 10))
    lifecycle_run()
    with pytest.raises(services.PlanRetiredError) as refused:
        services.subscription_resubscribe(tenant=_tenant(tours), accept_terms=True, actor=None)
    assert refused.value.code == "plan_retired"
    assert _tenant(tours).state == Tenant.State.RETENTION
    form_page = console_client().get("/console/quotes/new/").content.decode()
    assert f'<option value="{plan.pk}">' not in form_page


def test_a_customer_that_had_cancelled_keeps_its_own_end(customers, plan, clock) -> None:
    tours, leeds = customers
    clock(paris(2026, 3, 15, 10))
    services.subscription_cancel(subscription=leeds.subscription)
    ends = _tenant(leeds).access_ends_at
    clock(paris(2026, 3, 20, 10))
    retirement = services.plan_retire(plan=plan, actor=None)
    assert list(retirement.subscriptions.values_list("tenant_id", flat=True)) == [tours.tenant.pk]
    assert _tenant(leeds).access_ends_at == ends
