"""The billing run: in advance, period after period, idempotent, gapless, safe when concurrent (SPEC R7, R8)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from invoicing import services
from invoicing.demo import subscriptions_bulk_create
from invoicing.models import Invoice, Subscription
from mooc_platform.business_time import add_months
from tests.invoicing.helpers import paris, sign


def _numbers(subscription: Subscription) -> list[str]:
    return list(Invoice.objects.filter(subscription=subscription).order_by("sequence").values_list("number", flat=True))


def test_monthly_billing_over_a_year_issues_12_invoices_with_consecutive_numbers(quote_sent, clock) -> None:
    clock(paris(2026, 1, 31, 9))
    subscription = sign(quote_sent()).subscription

    for month in range(1, 12):
        day = add_months(subscription.anchor_date, month)
        clock(paris(day.year, day.month, day.day, 6))
        assert services.billing_run().invoices_issued == 1

    assert _numbers(subscription) == [f"F2026-{n:06d}" for n in range(1, 13)]
    periods = list(Invoice.objects.filter(subscription=subscription).order_by("sequence")
                   .values_list("period_start", flat=True))
    assert [str(p) for p in periods[:4]] == ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
    assert all(total == Decimal("288.00") for total in
               Invoice.objects.filter(subscription=subscription).values_list("total_incl_tax", flat=True))


def test_billing_run_does_not_invoice_a_period_before_its_first_day_in_paris(quote_sent, clock) -> None:
    clock(paris(2026, 3, 1, 12))
    subscription = sign(quote_sent()).subscription

    clock(paris(2026, 3, 31, 23, 59))  # DST night: 21:59 UTC, still 31 March in Paris
    assert services.billing_run().invoices_issued == 0
    clock(paris(2026, 4, 1, 0, 0))
    assert services.billing_run().invoices_issued == 1
    assert _numbers(subscription) == ["F2026-000001", "F2026-000002"]


def test_billing_run_twice_issues_nothing_new(quote_sent, clock) -> None:
    clock(paris(2026, 5, 10, 9))
    sign(quote_sent())
    clock(paris(2026, 6, 10, 9))

    first = services.billing_run()
    second = services.billing_run()

    assert (first.invoices_issued, second.invoices_issued) == (1, 0)
    assert Invoice.objects.count() == 2


def test_a_terminated_tenant_is_not_billed_any_more(quote_sent, clock) -> None:
    from tenants.services import tenant_terminate

    clock(paris(2026, 5, 10, 9))
    signed = sign(quote_sent())
    clock(paris(2026, 5, 20, 9))
    tenant_terminate(tenant=signed.tenant, reason="offence", notify=False)
    clock(paris(2026, 6, 10, 9))

    assert services.billing_run(dry_run=True).subscriptions_due == 0
    assert services.billing_run().invoices_issued == 0
    assert Invoice.objects.filter(tenant=signed.tenant).count() == 1


def test_billing_run_catches_up_missed_periods_in_order(quote_sent, clock) -> None:
    clock(paris(2026, 1, 10, 9))
    subscription = sign(quote_sent()).subscription
    clock(paris(2026, 4, 10, 9))

    assert services.billing_run().invoices_issued == 3
    assert subscription.__class__.objects.get(pk=subscription.pk).next_period_start.isoformat() == "2026-05-10"


def test_numbering_continues_across_years(quote_sent, clock) -> None:
    clock(paris(2026, 12, 5, 9))
    sign(quote_sent())
    clock(paris(2027, 1, 5, 9))
    services.billing_run()
    assert list(Invoice.objects.order_by("sequence").values_list("number", flat=True)) == [
        "F2026-000001", "F2027-000002"]


def test_price_change_applies_only_after_the_initial_period(quote_sent, plan, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    subscription = sign(quote_sent()).subscription  # initial period: 12 months, until 2027-01-15
    clock(paris(2026, 2, 1, 9))
    services.plan_price_change(plan=plan, flat_amount=Decimal("150.00"))  # 150 + 140 = 290.00

    for month in range(1, 13):
        day = add_months(subscription.anchor_date, month)
        clock(paris(day.year, day.month, day.day, 8))
        services.billing_run()

    totals = list(Invoice.objects.filter(subscription=subscription).order_by("sequence")
                  .values_list("period_start", "total_excl_tax"))
    assert [t for _, t in totals[:12]] == [Decimal("240.00")] * 12
    assert (str(totals[12][0]), totals[12][1]) == ("2027-01-15", Decimal("290.00"))
    # New quotes take the new price at once.
    assert sum(line.amount for line in quote_sent().lines.all()) == Decimal("290.00")


def test_cancelled_subscription_is_not_invoiced_again(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    subscription = sign(quote_sent()).subscription
    services.subscription_cancel(subscription=subscription)
    clock(paris(2026, 3, 15, 9))
    assert services.billing_run().invoices_issued == 0


def test_run_billing_command_dry_run_changes_nothing(quote_sent, clock, capsys) -> None:
    clock(paris(2026, 1, 15, 9))
    sign(quote_sent())
    clock(paris(2026, 2, 15, 9))

    call_command("run_billing", "--dry-run")
    assert "1 subscription(s) to invoice" in capsys.readouterr().out
    assert Invoice.objects.count() == 1

    call_command("run_billing")
    assert "invoices issued: 1" in capsys.readouterr().out
    assert Invoice.objects.count() == 2


def test_two_concurrent_billing_runs_make_no_duplicate_and_no_gap(plan_committed) -> None:
    from datetime import date

    subscriptions_bulk_create(count=300, plan=plan_committed, anchor_date=date(2026, 1, 1), prefix="conc")
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.billing_run(now=paris(2026, 1, 1, 6), batch_size=40).invoices_issued)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sum(results) == 300
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 301))
    assert Invoice.objects.values("subscription").distinct().count() == 300
    assert services.billing_run(now=paris(2026, 1, 1, 7)).invoices_issued == 0


def test_a_run_that_dies_mid_batch_leaves_no_gap_and_the_next_run_finishes(plan, clock, monkeypatch) -> None:
    from datetime import date

    subscriptions_bulk_create(count=30, plan=plan, anchor_date=date(2026, 1, 1), prefix="die")
    real_bulk_update = Subscription.objects.bulk_update
    calls = {"n": 0}

    def dies_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_bulk_update(*args, **kwargs)

    monkeypatch.setattr(Subscription.objects, "bulk_update", dies_on_second_batch)
    with pytest.raises(RuntimeError):
        services.billing_run(now=paris(2026, 1, 1, 6), batch_size=10)
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == list(range(1, 11))

    monkeypatch.undo()
    assert services.billing_run(now=paris(2026, 1, 1, 6), batch_size=10).invoices_issued == 20
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == list(range(1, 31))


def test_database_refuses_a_second_invoice_for_the_same_period(quote_sent, clock) -> None:
    from django.db import IntegrityError, transaction

    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    Subscription.objects.filter(pk=result.subscription.pk).update(next_period_start=result.invoice.period_start,
                                                                   periods_billed=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.invoice_issue(subscription=result.subscription)


def test_beat_task_runs_billing_then_dunning(quote_sent, clock, settings) -> None:
    from invoicing.tasks import run_billing

    clock(paris(2026, 1, 15, 9))
    sign(quote_sent())
    clock(paris(2026, 2, 15, 9))
    outcome = run_billing.apply().get()
    assert outcome["invoices_issued"] == 1 and outcome["delivered"] == 2
    assert settings.CELERY_BEAT_SCHEDULE["invoicing-run-billing"]["task"] == "invoicing.run_billing"


def test_annual_plan_invoices_the_setup_fee_once_and_the_year_in_advance(quote_sent, clock) -> None:
    annual = services.plan_create(code="campus-annual", name="Campus", billing_period="annual",
                                  flat_amount=Decimal("6000.00"), per_seat_amount=Decimal("12.00"), seats=500,
                                  setup_fee=Decimal("1500.00"), now=paris(2020, 1, 1))
    clock(paris(2028, 2, 29, 10))  # leap day: the next periods start on 28 February
    result = sign(quote_sent(plan_=annual))
    assert result.invoice.total_excl_tax == Decimal("13500.00")  # 6000 + 500 × 12 + 1500
    assert (str(result.invoice.period_start), str(result.invoice.period_end)) == ("2028-02-29", "2029-02-28")

    clock(paris(2029, 2, 27, 23, 59))
    assert services.billing_run().invoices_issued == 0
    clock(paris(2029, 2, 28, 0, 1))
    assert services.billing_run().invoices_issued == 1
    renewal = Invoice.objects.get(subscription=result.subscription, period_start="2029-02-28")
    assert (renewal.number, renewal.total_excl_tax, str(renewal.period_end)) == (
        "F2029-000002", Decimal("12000.00"), "2030-02-28")


def test_period_starting_on_the_autumn_dst_sunday_is_invoiced_at_paris_midnight(quote_sent, clock) -> None:
    clock(paris(2026, 9, 25, 12))
    sign(quote_sent())  # next period: Sunday 25 October 2026, the night clocks go back
    clock(paris(2026, 10, 24, 23, 59))  # 21:59 UTC
    assert services.billing_run().invoices_issued == 0
    clock(paris(2026, 10, 25, 0, 0))  # 22:00 UTC on the 24th
    assert services.billing_run().invoices_issued == 1
    assert Invoice.objects.get(sequence=2).issue_date.isoformat() == "2026-10-25"
