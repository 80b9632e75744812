"""The dashboard's figures (issue 12 item 2) on a seeded set of 50 organisations: each selector equals the
figure computed by hand from the seed, and the page shows exactly what the selectors compute."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from console import selectors
from invoicing.models import BillingPeriod, Invoice, Quote, QuoteLine, Subscription
from invoicing.services import plan_create
from tenants.models import Tenant
from tests.helpers import console_client

NOW = datetime(2026, 6, 17, 8, 0, tzinfo=UTC)  # 10:00 in Paris
TODAY = date(2026, 6, 17)
ANCHOR = date(2026, 3, 9)
MB = 1024**2
STATES = ["active"] * 6 + ["suspended", "cancelled", "retention", "purged"]


def _seed() -> dict:
    """50 organisations (schemas are not needed by the dashboard) with subscriptions and invoices."""
    monthly = plan_create(code="dash-monthly", name="Monthly", billing_period=BillingPeriod.MONTHLY,
                          flat_amount=Decimal("100"), per_seat_amount=Decimal("2.80"), now=NOW - timedelta(days=400))
    annual = plan_create(code="dash-annual", name="Annual", billing_period=BillingPeriod.ANNUAL,
                         flat_amount=Decimal("1200"), per_seat_amount=Decimal("30"), now=NOW - timedelta(days=400))
    expected_mrr_today = expected_mrr_may = Decimal("0")
    for i in range(50):
        state = STATES[i % 10]
        tenant = Tenant.objects.create(
            schema_name=f"t_dash_{i}", slug=f"dash-{i}", name=f"Dash {i:02d}", state=state,
            storage_used_bytes=0 if state == "purged" else (i + 1) * 100 * MB, storage_quota_bytes=10 * 1024**3,
            access_ends_at=NOW - timedelta(days=1) if state in ("retention", "purged") else None,
            retention_ends_at=NOW + timedelta(days=(i % 3) * 20) if state in ("retention", "purged") else None)
        if state not in ("active", "suspended", "cancelled"):
            continue
        seats = 10 + i
        is_annual = i % 4 == 0
        plan = annual if is_annual else monthly
        price = plan.prices.get()
        quote = Quote.objects.create(
            plan_price=price, status="sent", token=f"dash-{i}", organisation_name=tenant.name, billing_address="x",
            country="FR", contact_name="c", contact_email=f"c{i}@dash.example", wished_slug=tenant.slug,
            billing_period=price.billing_period, seats=seats, storage_quota_bytes=10 * 1024**3, valid_until=TODAY,
            terms_version="GCS")
        flat, per_seat = (Decimal("1200"), Decimal("30")) if is_annual else (Decimal("100"), Decimal("2.80"))
        QuoteLine.objects.create(quote=quote, position=1, kind="recurring", description="flat", quantity=1,
                                 unit_price=flat, amount=flat)
        QuoteLine.objects.create(quote=quote, position=2, kind="recurring", description="seats", quantity=seats,
                                 unit_price=per_seat, amount=per_seat * seats)
        QuoteLine.objects.create(quote=quote, position=3, kind="one_off", description="setup fee", quantity=1,
                                 unit_price=Decimal("500"), amount=Decimal("500"))  # never part of MRR
        Quote.objects.filter(pk=quote.pk).update(status="signed", signed_at=NOW - timedelta(days=100))
        monthly_amount = (flat + per_seat * seats) / (12 if is_annual else 1)
        cancelled = state == "cancelled"
        Subscription.objects.create(
            tenant=tenant, quote=quote, plan=plan, billing_period=price.billing_period, seats=seats,
            anchor_date=ANCHOR, initial_period_ends_on=date(2027, 3, 9), next_period_start=date(2026, 7, 9),
            buyer_name=tenant.name, buyer_address="x", buyer_country="FR", buyer_email=f"c{i}@dash.example",
            status="cancelled" if cancelled else "active", cancelled_at=NOW - timedelta(days=1) if cancelled else None)
        expected_mrr_may += monthly_amount
        if not cancelled:
            expected_mrr_today += monthly_amount
    # Overdue invoices: (days late, total incl. tax, amount paid, status)
    invoices = [(0, "120.00", "0", "issued"), (1, "100.00", "0", "issued"), (15, "50.00", "20.00", "issued"),
                (16, "70.00", "0", "issued"), (30, "30.00", "0", "issued"), (31, "500.00", "100.00", "issued"),
                (90, "10.00", "0", "issued"), (40, "999.00", "999.00", "paid"), (40, "80.00", "0", "credited")]
    for n, (late, total, paid, status) in enumerate(invoices):
        due = TODAY - timedelta(days=late)
        Invoice.objects.create(
            kind="invoice", status=status, sequence=n + 1, number=f"DASH-{n}", issue_date=due - timedelta(days=30),
            due_date=due, tenant=Tenant.objects.get(slug=f"dash-{n}"), seller={}, buyer={"name": f"Dash {n:02d}"},
            vat_scheme="fr", vat_rate=Decimal("20"), total_excl_tax=Decimal(total), total_vat=Decimal("0"),
            total_incl_tax=Decimal(total), amount_paid=Decimal(paid),
            recovery_indemnity=Decimal("40.00") if late == 31 else Decimal("0"))
    return {"mrr_today": expected_mrr_today.quantize(Decimal("0.01")),
            "mrr_may": expected_mrr_may.quantize(Decimal("0.01"))}


@pytest.fixture
def seeded(demo, acme) -> dict:
    with time_machine.travel(NOW, tick=False):
        return _seed()


def test_selectors_equal_the_figures_computed_from_the_seed(seeded) -> None:
    with time_machine.travel(NOW, tick=False):
        assert selectors.tenants_count_by_state() == {"active": 32, "suspended": 5, "cancelled": 5,
                                                      "retention": 5, "purged": 5}  # + demo and acme, active
        revenue = selectors.revenue_summary(today=TODAY)
        assert revenue.mrr == seeded["mrr_today"] == Decimal("6635.60")
        assert revenue.arr == Decimal("79627.20")
        assert [day for day, _value in revenue.trend] == [date(2025, m, 1) for m in range(7, 13)] + [
            date(2026, m, 1) for m in range(1, 6)] + [TODAY]
        values = dict(revenue.trend)
        assert values[date(2026, 3, 1)] == Decimal("0.00")  # before the subscriptions started
        assert values[date(2026, 4, 1)] == values[date(2026, 5, 1)] == seeded["mrr_may"] == Decimal("7653.60")
        buckets = {b.key: (b.count, b.amount) for b in selectors.overdue_by_age(today=TODAY)}
        assert buckets == {"0-15": (2, Decimal("130.00")), "15-30": (2, Decimal("100.00")),
                           "30+": (2, Decimal("450.00"))}
        storage = selectors.storage_summary()
        kept = [i for i in range(50) if STATES[i % 10] != "purged"]
        assert storage.used_bytes == sum((i + 1) * 100 * MB for i in kept)
        assert [t.slug for t in storage.top] == [f"dash-{i}" for i in sorted(kept, reverse=True)[:10]]
        demo_quotas = sum(Tenant.objects.filter(slug__in=["demo", "acme"]).values_list("storage_quota_bytes",
                                                                                        flat=True))
        assert storage.quota_bytes == len(kept) * 10 * 1024**3 + demo_quotas
        due = selectors.tenants_due_for_destruction(now=NOW)
        assert sorted(t.slug for t in due) == sorted(f"dash-{i}" for i in range(50)
                                                     if STATES[i % 10] == "retention" and i % 3 != 2)


def _value(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*data-value="([^"]*)"', html)
    assert match, testid
    return match.group(1)


def test_the_dashboard_shows_what_the_selectors_compute(seeded) -> None:
    with time_machine.travel(NOW, tick=False):
        html = console_client().get("/console/").content.decode()
        revenue = selectors.revenue_summary(today=TODAY)
        assert Decimal(_value(html, "mrr")) == revenue.mrr
        assert Decimal(_value(html, "arr")) == revenue.arr
        assert "6,635.60\u00a0€" in html and "79,627.20\u00a0€" in html
        for bucket in selectors.overdue_by_age(today=TODAY):
            assert Decimal(_value(html, f"overdue-{bucket.key}-amount")) == bucket.amount
            assert f'data-testid="overdue-{bucket.key}-count">{bucket.count}<' in html
        storage = selectors.storage_summary()
        assert int(_value(html, "storage-total")) == storage.used_bytes
        assert int(_value(html, "storage-quota")) == storage.quota_bytes
        assert html.count('data-testid="storage-row"') == 10
        for state, count in selectors.tenants_count_by_state().items():
            assert f'data-testid="state-{state}">{count}<' in html
        bars = re.findall(r'class="bar" data-value="([^"]+)"', html)
        assert [Decimal(v) for v in bars] == [value for _day, value in revenue.trend]
        # Each figure links to its filtered list, and the lists agree with the figures.
        overdue_list = console_client().get("/console/invoices/?overdue=30%2B")
        assert overdue_list.context["page"].paginator.count == 2
        suspended = console_client().get("/console/organisations/?state=suspended")
        assert suspended.context["page"].paginator.count == 5


def test_the_dashboard_costs_a_constant_number_of_queries(seeded, django_assert_max_num_queries) -> None:
    client = console_client()
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(30):
        assert client.get("/console/").status_code == 200
