"""Non-payers do not stay suspended forever (SPEC R27 — GCS art. 3–4, `001_…` §5.5): 60 days after a suspension for
non-payment the tenant is terminated (retention, then destruction), after a last e-mail warning 15 days before,
each exactly once; the deadlines are Paris wall-clock days, across the end of summer time (25 October 2026).
A suspended tenant is not invoiced for new periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from invoicing import services
from invoicing.models import Invoice, NonPaymentTerminationWarning, Subscription
from tenants.models import AuditEvent, Tenant
from tests.invoicing.helpers import paris, sign


@pytest.fixture
def suspended(quote_sent, clock):
    """Signed on Friday 28 August 2026: F2026-000001 (EUR 288.00, due 27/09); the billing run of 28/09 issues
    F2026-000002 (28/09–27/10, due 28/10); formal notice 27/09 06:00, suspended Monday 12/10 06:00 Paris (CEST)."""
    clock(paris(2026, 8, 28, 9))
    result = sign(quote_sent())
    clock(paris(2026, 9, 27, 6))
    services.dunning_run()
    clock(paris(2026, 9, 28, 6))
    assert services.billing_run().numbers == ["F2026-000002"]
    clock(paris(2026, 10, 12, 6))
    assert services.dunning_run().suspended == [result.tenant.slug]
    tenant = Tenant.objects.get(pk=result.tenant.pk)
    assert tenant.suspended_at == paris(2026, 10, 12, 6)
    return result


def _tenant(result) -> Tenant:
    return Tenant.objects.get(pk=result.tenant.pk)


def test_warned_45_days_then_terminated_60_days_after_the_suspension_on_the_paris_clock(
        suspended, clock, django_capture_on_commit_callbacks) -> None:
    slug = suspended.tenant.slug
    # 45 × 24 h after 12/10 06:00 CEST is 26/11 05:00 CET: not yet on the Paris wall clock.
    clock(paris(2026, 11, 26, 5, 59))
    assert services.non_payment_terminations_run().warned == []
    clock(paris(2026, 11, 26, 6))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.contract_deadlines_run()
        assert [slug for slug, _ in report.non_payment.warned] == [slug]
        again = services.contract_deadlines_run()
        assert again.non_payment.warned == [] and again.lines()[1:] == ["nothing to do"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"{suspended.tenant.name} : dernier avertissement avant résiliation pour impayé"
    assert "avant le 11 décembre 2026 06:00 (heure de Paris)" in message.body
    assert "F2026-000001, F2026-000002" in message.body
    assert "claire@" in " ".join(message.to)
    html = message.alternatives[0][0]
    assert "<strong>Sans paiement complet des sommes dues" in html
    warning = NonPaymentTerminationWarning.objects.get(tenant=suspended.tenant)
    assert (warning.sent_at, warning.termination_due_at) == (paris(2026, 11, 26, 6), paris(2026, 12, 11, 6))
    assert AuditEvent.objects.filter(action="tenant.non_payment_termination_warning",
                                     tenant=suspended.tenant).count() == 1

    clock(paris(2026, 12, 11, 5, 59))
    assert services.contract_deadlines_run().non_payment.terminated == []
    assert _tenant(suspended).state == Tenant.State.SUSPENDED
    clock(paris(2026, 12, 11, 6))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert [s for s, _ in services.contract_deadlines_run().non_payment.terminated] == [slug]
        assert services.contract_deadlines_run().non_payment.terminated == []
    tenant = _tenant(suspended)
    assert (tenant.state, tenant.terminated_at, tenant.access_ends_at) == (
        Tenant.State.RETENTION, paris(2026, 12, 11, 6), paris(2026, 12, 11, 6))
    assert tenant.retention_ends_at == paris(2027, 6, 9, 6)  # 180 days, then destruction (run_lifecycle)
    assert tenant.suspension_reason == "non-payment (60 days suspended)"
    assert Subscription.objects.get(pk=suspended.subscription.pk).status == Subscription.Status.CANCELLED
    assert [m.subject for m in mail.outbox] == [f"{tenant.name} : contrat résilié par la plateforme"]
    assert AuditEvent.objects.filter(action="tenant.terminated", tenant=tenant).count() == 1


def test_the_command_dry_run_lists_and_changes_nothing(suspended, clock) -> None:
    clock(paris(2026, 11, 26, 6))
    out = StringIO()
    call_command("run_contract_deadlines", "--dry-run", stdout=out)
    assert f"would warn of termination for non-payment: {suspended.tenant.slug}" in out.getvalue()
    assert "terminated on 2026-12-11T05:00:00+00:00 unless paid" in out.getvalue()
    assert not NonPaymentTerminationWarning.objects.exists()
    call_command("run_contract_deadlines", stdout=out)
    assert NonPaymentTerminationWarning.objects.count() == 1
    clock(paris(2026, 12, 11, 6))
    out = StringIO()
    call_command("run_contract_deadlines", "--dry-run", stdout=out)
    assert f"would TERMINATE for non-payment: {suspended.tenant.slug}" in out.getvalue()
    assert _tenant(suspended).state == Tenant.State.SUSPENDED


def test_a_warning_sent_late_postpones_the_termination_not_the_notice(suspended, clock) -> None:
    clock(paris(2026, 12, 5, 12))  # the job was down: the warning goes out now, the termination 15 days later
    services.contract_deadlines_run()
    assert NonPaymentTerminationWarning.objects.get().termination_due_at == paris(2026, 12, 20, 12)
    clock(paris(2026, 12, 11, 6))
    assert services.contract_deadlines_run().non_payment.terminated == []
    clock(paris(2026, 12, 20, 12))
    assert len(services.contract_deadlines_run().non_payment.terminated) == 1


@override_settings(INVOICING_NON_PAYMENT_TERMINATION_DAYS=30, INVOICING_NON_PAYMENT_WARNING_DAYS=10)
def test_the_periods_are_settings(suspended, clock) -> None:
    clock(paris(2026, 11, 1, 5, 59))
    assert services.contract_deadlines_run().non_payment.warned == []
    clock(paris(2026, 11, 1, 6))  # 20 days after 12/10 06:00
    assert len(services.contract_deadlines_run().non_payment.warned) == 1
    clock(paris(2026, 11, 11, 6))
    assert len(services.contract_deadlines_run().non_payment.terminated) == 1


def test_paying_after_the_warning_keeps_the_customer(suspended, clock) -> None:
    clock(paris(2026, 11, 26, 6))
    services.contract_deadlines_run()
    clock(paris(2026, 11, 30, 10))
    services.dunning_run()
    for invoice in Invoice.objects.filter(subscription=suspended.subscription).order_by("sequence"):
        services.payment_record(invoice=invoice, amount=invoice.balance_due)
    assert _tenant(suspended).state == Tenant.State.ACTIVE
    clock(paris(2026, 12, 11, 6))
    assert services.contract_deadlines_run().non_payment.terminated == []
    assert _tenant(suspended).state == Tenant.State.ACTIVE


def test_a_suspended_tenant_is_not_invoiced_and_catches_up_once_reinstated(suspended, clock) -> None:
    clock(paris(2026, 10, 28, 6))  # the period 28/10–27/11 starts while suspended
    assert services.billing_run().numbers == []
    assert services.billing_cycle_run(dry_run=True).subscriptions_due == []
    clock(paris(2026, 11, 2, 10))
    services.dunning_run()
    for invoice in Invoice.objects.filter(subscription=suspended.subscription).order_by("sequence"):
        services.payment_record(invoice=invoice, amount=invoice.balance_due)
    assert _tenant(suspended).state == Tenant.State.ACTIVE
    assert services.billing_run().numbers == ["F2026-000003"]  # the contract ran on: the period is owed
    third = Invoice.objects.get(number="F2026-000003")
    assert (third.period_start, third.total_excl_tax) == (date(2026, 10, 28), Decimal("240.00"))


def test_a_terminated_non_payer_is_never_invoiced_for_the_periods_of_its_suspension(suspended, clock) -> None:
    clock(paris(2026, 11, 26, 6))
    services.contract_deadlines_run()
    clock(paris(2026, 12, 11, 6))
    services.contract_deadlines_run()
    clock(paris(2027, 1, 5, 6))
    assert services.billing_run().numbers == []
    assert list(Invoice.objects.filter(subscription=suspended.subscription).values_list("number", flat=True)
                .order_by("sequence")) == ["F2026-000001", "F2026-000002"]
