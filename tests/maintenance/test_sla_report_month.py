"""Issue 9 item 15: the SLA report's month, when none (or a mistyped one) is given, is the current month
in Europe/Paris — at 00:30 on 1 April in Paris it is still 31 March in UTC."""

from __future__ import annotations

import pytest

from tests.helpers import api_client, api_token, console_client
from tests.maintenance.helpers import paris


@pytest.mark.parametrize("query", ["?month=2027-13", "?month=avril", ""], ids=["mistyped", "words", "none"])
def test_console_sla_report_falls_back_to_the_paris_month(operator, clock, query) -> None:
    clock(paris(2027, 4, 1, 0, 30))  # 2027-03-31 22:30 UTC
    client = console_client(operator.email)
    page = client.get(f"/console/maintenance/maintenancewindow/sla-report/{query}")
    assert page.status_code == 200
    assert page.context["month"] == "2027-04"
    assert b"Availability report 2027-04" in page.content


def test_api_sla_report_without_a_month_is_the_paris_month(operator, clock) -> None:
    clock(paris(2027, 4, 1, 0, 30))
    response = api_client("localhost", api_token("localhost", "operator@demo.test")).get("/api/v1/sla-reports/")
    assert response.status_code == 200 and response.json()["month"] == "2027-04"
