"""The operator console (/console/): adding a window schedules it through the service (rules shown
on the form, times in Europe/Paris), changing its times moves it, the action cancels it."""

from __future__ import annotations

import pytest
from django.test import Client

from maintenance.models import MaintenanceWindow
from tenants.models import AuditEvent
from tests.factories import MaintenanceWindowFactory
from tests.helpers import console_client
from tests.maintenance.helpers import MARCH_SAT_NOON, paris

ADD = "/console/maintenance/maintenancewindow/add/"


@pytest.fixture
def console(operator):
    """Log the operator in *after* moving the clock: a session opened in 2026 has expired in 2027."""

    def login() -> Client:
        return console_client(operator.email)

    return login


def _form(**extra):
    return {"start_0": "2027-03-27", "start_1": "12:00:00", "end_0": "2027-03-28", "end_1": "13:00:00",
            "scope": "all", "kind": "planned", "justification": "", "reason": "Upgrade",
            "message_fr": "Mise à jour.", "message_en": "Upgrade.",
            "notices-TOTAL_FORMS": "0", "notices-INITIAL_FORMS": "0", **extra}


def test_console_schedules_a_window_entered_in_paris_time(console, clock, mailoutbox) -> None:
    clock(paris(2027, 3, 25, 12))
    client = console()
    response = client.post(ADD, _form())
    assert response.status_code == 302, response.content.decode()[:3000]
    window = MaintenanceWindow.objects.get()
    assert window.start.isoformat() == "2027-03-27T11:00:00+00:00"  # 12:00 CET
    assert window.end.isoformat() == "2027-03-28T11:00:00+00:00"  # 13:00 CEST: 24 h
    assert window.created_by_email == "operator@demo.test"
    assert AuditEvent.objects.filter(action="maintenance_window.scheduled", actor_email="operator@demo.test").exists()


def test_console_form_lists_every_broken_rule(console, clock) -> None:
    clock(paris(2027, 3, 25, 12, 1))
    client = console()
    response = client.post(ADD, _form(start_0="2027-03-26"))
    assert response.status_code == 200
    content = response.content.decode()
    for code in ("maintenance_not_saturday_noon", "maintenance_too_long", "maintenance_notice_too_short"):
        assert f"[{code}]" in content
    assert not MaintenanceWindow.objects.exists()


def test_console_emergency_needs_a_justification(console, clock) -> None:
    clock(paris(2027, 3, 24, 15))
    client = console()
    response = client.post(ADD, _form(kind="emergency", start_0="2027-03-24", start_1="15:30:00",
                                       end_0="2027-03-24", end_1="18:00:00"))
    assert response.status_code == 200
    assert "An emergency window needs a written justification." in response.content.decode()
    assert not MaintenanceWindow.objects.exists()


def test_console_moves_a_window_when_its_times_change(console, clock) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    clock(paris(2027, 3, 20))
    client = console()
    response = client.post(f"/console/maintenance/maintenancewindow/{window.id}/change/",
                            {"start_0": "2027-04-03", "start_1": "14:00:00", "end_0": "2027-04-03",
                             "end_1": "16:00:00", "notices-TOTAL_FORMS": "0", "notices-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:3000]
    window.refresh_from_db()
    assert window.start == paris(2027, 4, 3, 14) and window.revision == 2
    assert AuditEvent.objects.filter(action="maintenance_window.moved").count() == 1


def test_console_cancel_action(console, clock) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    clock(paris(2027, 3, 20))
    client = console()
    response = client.post("/console/maintenance/maintenancewindow/",
                            {"action": "cancel_windows", "_selected_action": [str(window.id)]})
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.status == "cancelled"


def test_console_is_for_operators_only(demo) -> None:
    anonymous = Client(HTTP_HOST="localhost").get("/console/maintenance/maintenancewindow/")
    assert anonymous.status_code == 302 and "/console/login/" in anonymous["Location"]


def test_console_schedules_a_window_for_chosen_tenants(console, clock, demo, acme) -> None:
    clock(paris(2027, 3, 20))
    client = console()
    response = client.post(ADD, _form(scope="selected", tenants=[str(demo.id)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    window = MaintenanceWindow.objects.get()
    assert list(window.tenants.all()) == [demo]
