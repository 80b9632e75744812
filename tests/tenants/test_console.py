"""Operator console pages of the tenants app render, with the lifecycle dates (SPEC R12–R14)."""

from datetime import UTC, datetime

import pytest
import time_machine

from tenants.services import tenant_terminate
from tests.helpers import console_client


@pytest.mark.parametrize("model", ["tenant", "destructionrecord", "auditevent", "customdomain",
                                   "supportaccessgrant", "tenantexport"])
def test_console_lists_render_for_operators(db, model) -> None:
    client = console_client()
    response = client.get(f"/console/tenants/{model}/")
    assert response.status_code == 200


def test_console_shows_the_dates_of_a_tenant_in_retention(demo) -> None:
    with time_machine.travel(datetime(2026, 2, 2, 10, 0, tzinfo=UTC), tick=False):
        tenant_terminate(tenant=demo, reason="offence")
    client = console_client()
    listing = client.get("/console/tenants/tenant/?state__exact=retention").content.decode()
    assert "Demo University" in listing and "Aug. 1, 2026" in listing
    assert client.get(f"/console/tenants/tenant/{demo.pk}/change/").status_code == 200
