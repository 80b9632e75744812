"""A price version never changes a plan's billing period, and the initial term of a quote is a whole
number of billing periods (SPEC R4, R7 — GCS art. 11: an existing customer keeps its price until the end of
its initial period, so that period must end on a period boundary)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing import services
from invoicing.models import BillingPeriod, Invoice, PlanPrice
from mooc_platform.business_time import add_months
from tests.helpers import api_client, api_token, console_client
from tests.invoicing.helpers import paris, sign, unique_slug


def test_a_price_version_cannot_change_the_billing_period(plan, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    with pytest.raises(services.BillingPeriodChangeError) as raised:
        services.plan_price_change(plan=plan, billing_period=BillingPeriod.ANNUAL, flat_amount=Decimal("1000.00"))
    assert raised.value.code == "billing_period_change"
    assert raised.value.details == {"plan": plan.code, "billing_period": "monthly", "requested": "annual"}
    assert list(plan.prices.values_list("version", "billing_period")) == [(1, "monthly")]
    # Same period, or not given: a new version as before.
    new = services.plan_price_change(plan=plan, billing_period=BillingPeriod.MONTHLY, flat_amount=Decimal("110.00"))
    assert (new.version, new.billing_period, new.flat_amount) == (2, "monthly", Decimal("110.00"))


def test_the_console_refuses_a_price_version_on_another_period(plan, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    response = console_client().post("/console/invoicing/planprice/add/", {
        "plan": plan.pk, "valid_from_0": "2026-01-16", "valid_from_1": "00:00:00", "billing_period": "annual",
        "flat_amount": "1000.00", "per_seat_amount": "0.00", "setup_fee": "0.00", "seats": 50,
        "storage_quota_bytes": 10 * 1024**3})
    assert response.status_code == 200  # the form again, with the error
    assert "A price version keeps the plan&#x27;s billing period (monthly)" in response.content.decode()
    assert list(plan.prices.values_list("version", flat=True)) == [1]


def test_renewals_keep_the_subscription_period_amounts_whatever_other_versions_say(quote_sent, plan, clock) -> None:
    """A version on another period (written before the rule existed) is ignored by the renewal of a monthly
    subscription: it takes the newest version of its own period, here the quoted one."""
    clock(paris(2026, 1, 15, 9))
    subscription = sign(quote_sent(initial_term_months=1)).subscription
    PlanPrice.objects.create(plan=plan, version=2, valid_from=paris(2026, 1, 20), billing_period="annual",
                             flat_amount=Decimal("2400.00"), per_seat_amount=Decimal("28.00"))
    clock(paris(2026, 2, 15, 8))
    services.billing_run()
    renewal = Invoice.objects.get(subscription=subscription, period_start="2026-02-15")
    assert renewal.total_excl_tax == Decimal("240.00")
    assert [line.description for line in renewal.lines.all()] == [
        "Essential — monthly subscription (15/02/2026 – 14/03/2026)",
        "Essential — seats (monthly) (15/02/2026 – 14/03/2026)"]


@pytest.fixture
def annual_plan(db):
    """Annual: EUR 1,200.00 flat per year."""
    return services.plan_create(code=unique_slug("annual"), name="Campus", billing_period=BillingPeriod.ANNUAL,
                                flat_amount=Decimal("1200.00"), now=paris(2020, 1, 1))


@pytest.mark.parametrize("months", [1, 6, 18, 13])
def test_an_annual_quote_refuses_an_initial_term_that_is_not_whole_years(quote_sent, annual_plan, clock,
                                                                         months) -> None:
    clock(paris(2026, 1, 15, 9))
    with pytest.raises(services.InitialTermError) as raised:
        quote_sent(plan_=annual_plan, initial_term_months=months)
    assert raised.value.code == "initial_term_not_whole_periods"
    assert raised.value.message == "The initial term must be a whole number of billing periods (12 months)."
    assert raised.value.details == {"initial_term_months": months, "billing_period": "annual",
                                    "months_per_period": 12}


def test_an_annual_subscription_of_two_years_locks_exactly_two_invoiced_years(quote_sent, annual_plan, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    subscription = sign(quote_sent(plan_=annual_plan, initial_term_months=24)).subscription
    assert subscription.initial_period_ends_on == add_months(subscription.anchor_date, 24)
    services.plan_price_change(plan=annual_plan, flat_amount=Decimal("1500.00"))
    for year in (2027, 2028):
        clock(paris(year, 1, 15, 8))
        services.billing_run()
    assert list(Invoice.objects.filter(subscription=subscription).order_by("sequence")
                .values_list("total_excl_tax", flat=True)) == [
        Decimal("1200.00"), Decimal("1200.00"), Decimal("1500.00")]


def test_editing_a_draft_keeps_the_initial_term_whole(quote_sent, annual_plan, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    quote = services.quote_create(
        plan=annual_plan, organisation_name="IUT", billing_address="Tours", country="FR", contact_name="C",
        contact_email="c@iut.example", wished_slug=unique_slug("iut"), initial_term_months=24)
    with pytest.raises(services.InitialTermError):
        services.quote_update(quote=quote, initial_term_months=30)
    quote.refresh_from_db()
    assert quote.initial_term_months == 24
    assert services.quote_update(quote=quote, initial_term_months=36).initial_term_months == 36


def test_the_quote_api_answers_400_with_the_rule(annual_plan, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    operator = api_client("localhost", api_token("localhost", "operator@demo.test"))
    response = operator.post("/api/v1/quotes/", {
        "plan": annual_plan.code, "organisation_name": "IUT", "billing_address": "Tours", "country": "FR",
        "contact_name": "C", "contact_email": "c@iut.example", "wished_slug": unique_slug("iut"),
        "initial_term_months": 18}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "initial_term_not_whole_periods"
