"""Balance per customer for operators (issue 4 item 5, SPEC R9): `/api/v1/customers/` and the console."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing import services
from tests.helpers import api_client, api_token, console_client
from tests.invoicing.helpers import paris, sign


@pytest.fixture
def operator(db: None) -> object:
    return api_client("localhost", api_token("localhost", "operator@demo.test"))


@pytest.fixture
def two_customers(quote_sent, clock):
    """Tours: F…1 (EUR 288.00, due 14/02) paid EUR 100.00, then F…3 (EUR 288.00, due 17/03) issued on 15/02.
    Lyon: F…2 paid in full. Seen on 20/02/2026: Tours owes EUR 476.00, of which EUR 188.00 overdue."""
    clock(paris(2026, 1, 15, 9))
    tours, lyon = sign(quote_sent()), sign(quote_sent())
    services.payment_record(invoice=tours.invoice, amount="100.00")
    services.payment_record(invoice=lyon.invoice, amount="288.00")
    clock(paris(2026, 2, 15, 9))
    services.invoice_issue(subscription=tours.subscription)
    clock(paris(2026, 2, 20, 9))
    return tours, lyon


def _amounts(row: dict) -> tuple:
    return tuple(Decimal(row[k]) for k in ("invoiced", "late_charges", "paid", "balance_due", "overdue"))


def test_operator_lists_each_customer_with_invoiced_paid_balance_and_overdue(operator, two_customers) -> None:
    tours, lyon = two_customers
    body = operator.get("/api/v1/customers/?page_size=100").json()
    rows = {row["id"]: row for row in body["results"]}

    assert _amounts(rows[tours.tenant.pk]) == (Decimal("576.00"), Decimal("0.00"), Decimal("100.00"),
                                               Decimal("476.00"), Decimal("188.00"))
    assert _amounts(rows[lyon.tenant.pk]) == (Decimal("288.00"), Decimal("0.00"), Decimal("288.00"),
                                              Decimal("0.00"), Decimal("0.00"))
    assert rows[tours.tenant.pk]["slug"] == tours.tenant.slug
    assert rows[tours.tenant.pk]["subscription_id"] == tours.subscription.pk
    assert rows[tours.tenant.pk]["subscription_status"] == "active"


def test_customer_detail_counts_late_charges_and_credit_notes(operator, two_customers) -> None:
    tours, _ = two_customers
    services.dunning_run()  # 20/02: F…1 is 6 days late: EUR 40.00 + 188.00 × 12.15 % × 6 / 365 = EUR 0.38
    detail = operator.get(f"/api/v1/customers/{tours.tenant.pk}/")
    assert detail.status_code == 200, detail.content
    assert _amounts(detail.json()) == (Decimal("576.00"), Decimal("40.38"), Decimal("100.00"), Decimal("516.38"),
                                       Decimal("228.38"))

    second = tours.subscription.invoices.get(period_start="2026-02-15")
    services.credit_note_issue(invoice=second, reason="commercial gesture")
    after = operator.get(f"/api/v1/customers/{tours.tenant.pk}/").json()
    assert _amounts(after) == (Decimal("288.00"), Decimal("40.38"), Decimal("100.00"), Decimal("228.38"),
                               Decimal("228.38"))


def test_customer_list_costs_the_same_queries_for_2_and_10_customers(operator, quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = operator.get("/api/v1/customers/?page_size=100")
        assert response.status_code == 200
        return len(captured)

    for _ in range(2):
        sign(quote_sent())
    with_two = queries()
    for _ in range(8):
        sign(quote_sent())
    with_ten = queries()
    assert operator.get("/api/v1/customers/?page_size=100").json()["count"] >= 10
    assert with_ten == with_two


def test_customer_balances_are_for_operators_only(two_customers, demo) -> None:
    tours, _ = two_customers
    anonymous = api_client("localhost").get("/api/v1/customers/")
    assert anonymous.status_code == 401
    tenant_admin = api_client("demo.localhost", api_token("demo.localhost", "admin@demo.test"))
    assert tenant_admin.get("/api/v1/customers/").status_code == 404  # not routed on a tenant host
    assert tenant_admin.get(f"/api/v1/customers/{tours.tenant.pk}/").status_code == 404
    assert api_client("localhost").get(f"/api/v1/customers/{tours.tenant.pk}/").status_code == 401


def test_unknown_customer_answers_404(operator, two_customers, demo) -> None:
    assert operator.get(f"/api/v1/customers/{demo.pk}/").status_code == 404  # a tenant without subscription
    assert operator.get("/api/v1/customers/999999999/").status_code == 404


def test_console_subscription_list_shows_the_customer_balance(two_customers) -> None:
    console = console_client()
    with CaptureQueriesContext(connection) as captured:
        page = console.get("/console/invoicing/subscription/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Customer balance due" in html and "Customer overdue" in html
    assert "476.00" in html or "476,00" in html
    assert "188.00" in html or "188,00" in html
    assert len(captured) < 20
