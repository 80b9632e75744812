"""The operator console's maintenance pages (/console/maintenance-windows/, issue 12 item 1): scheduling, moving
and cancelling go through the services (rules listed on the form, times typed in Europe/Paris); moving and
cancelling ask for a confirmation that names the organisations told. The admin list underneath is read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from maintenance.models import MaintenanceNotice, MaintenanceWindow
from tenants.models import AuditEvent
from tests.factories import MaintenanceWindowFactory
from tests.helpers import console_client
from tests.maintenance.helpers import MARCH_SAT_NOON, paris

NEW = "/console/maintenance-windows/new/"
IP = "198.51.100.7"


@pytest.fixture
def console(operator):
    """Log the operator in *after* moving the clock: a session opened in 2026 has expired in 2027."""

    def login() -> Client:
        return console_client(operator.email, REMOTE_ADDR=IP)

    return login


def _form(**extra):
    return {"start": "2027-03-27T12:00", "end": "2027-03-28T13:00", "scope": "all", "kind": "planned",
            "justification": "", "reason": "Upgrade", "message_fr": "Mise à jour.", "message_en": "Upgrade.",
            **extra}


def test_console_schedules_a_window_entered_in_paris_time(console, clock, mailoutbox, demo, acme,
                                                          django_capture_on_commit_callbacks) -> None:
    clock(paris(2027, 3, 25, 12))
    client = console()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, _form())
    window = MaintenanceWindow.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/maintenance-windows/{window.pk}/"
    assert window.start.isoformat() == "2027-03-27T11:00:00+00:00"  # 12:00 CET
    assert window.end.isoformat() == "2027-03-28T11:00:00+00:00"  # 13:00 CEST: 24 h over the DST change
    assert window.created_by_email == "operator@demo.test"
    event = AuditEvent.objects.get(action="maintenance_window.scheduled")
    assert (event.actor_email, event.ip_address) == ("operator@demo.test", IP)
    page = client.get(response["Location"]).content.decode()
    assert "Window scheduled and announced" in page
    assert {n.tenant.slug for n in MaintenanceNotice.objects.filter(window=window)} >= {"demo", "acme"}


def test_console_form_lists_every_broken_rule_and_keeps_the_input(console, clock) -> None:
    clock(paris(2027, 3, 25, 12, 1))
    response = console().post(NEW, _form(start="2027-03-26T12:00"))
    assert response.status_code == 400
    content = response.content.decode()
    for code in ("maintenance_not_saturday_noon", "maintenance_too_long", "maintenance_notice_too_short"):
        assert f"[{code}]" in content
    assert "this one lasts 48 h 00 min" in content
    assert 'value="2027-03-26T12:00"' in content and "Mise à jour." in content
    assert not MaintenanceWindow.objects.exists()


def test_console_emergency_needs_a_justification(console, clock) -> None:
    clock(paris(2027, 3, 24, 15))
    client = console()
    response = client.post(NEW, _form(kind="emergency", start="2027-03-24T15:30", end="2027-03-24T18:00"))
    assert response.status_code == 400
    assert "An emergency window needs a written justification." in response.content.decode()
    assert not MaintenanceWindow.objects.exists()
    done = client.post(NEW, _form(kind="emergency", start="2027-03-24T15:30", end="2027-03-24T18:00",
                                  justification="Disk failing"))
    assert done.status_code == 302
    assert MaintenanceWindow.objects.get().kind == "emergency"
    assert AuditEvent.objects.filter(action="maintenance_window.scheduled_emergency", ip_address=IP).count() == 1


def test_console_moves_a_window_after_a_confirmation_naming_who_is_told(console, clock, demo, acme,
                                                                       django_capture_on_commit_callbacks) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    clock(paris(2027, 3, 20))
    client = console()
    url = f"/console/maintenance-windows/{window.id}/move/"
    assert 'value="2027-03-27T12:00"' in client.get(url).content.decode()  # the current times, in Paris
    refused = client.post(url, {"start": "2027-04-02T14:00", "end": "2027-04-03T16:00"})  # a Friday, 26 h
    assert refused.status_code == 400
    assert "[maintenance_not_saturday_noon]" in refused.content.decode()
    assert "[maintenance_too_long]" in refused.content.decode()

    confirm = client.post(url, {"start": "2027-04-03T14:00", "end": "2027-04-03T16:00"})
    assert confirm.status_code == 200
    consequence = confirm.context["consequence"]
    assert "The administrators of 1 organisation (Demo University) receive a new announcement now" in consequence
    window.refresh_from_db()
    assert window.start == MARCH_SAT_NOON and window.revision == 1  # nothing before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"start": "2027-04-03T14:00", "end": "2027-04-03T16:00", "confirm": "1"})
    assert done.status_code == 302
    window.refresh_from_db()
    assert window.start == paris(2027, 4, 3, 14) and window.revision == 2
    event = AuditEvent.objects.get(action="maintenance_window.moved")
    assert (event.actor_email, event.ip_address) == ("operator@demo.test", IP)
    assert MaintenanceNotice.objects.filter(window=window, revision=2, kind="announcement",
                                            tenant=demo).count() == 1


def test_console_cancels_a_window_after_a_confirmation_naming_who_was_told(console, clock, demo, acme,
                                                                           django_capture_on_commit_callbacks) -> None:
    clock(paris(2027, 3, 20))
    with django_capture_on_commit_callbacks(execute=True):
        window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo, acme], now=paris(2027, 3, 20))
    client = console()
    url = f"/console/maintenance-windows/{window.id}/cancel/"
    page = client.get(url)
    assert ("The administrators of the 2 organisations already told (ACME Corporate Academy, Demo University) "
            "receive a cancellation e-mail now.") in page.context["consequence"]
    assert MaintenanceWindow.objects.get(pk=window.pk).status == "scheduled"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    window.refresh_from_db()
    assert window.status == "cancelled"
    assert AuditEvent.objects.filter(action="maintenance_window.cancelled", ip_address=IP).count() == 1
    assert set(MaintenanceNotice.objects.filter(window=window, kind="cancellation")
               .values_list("tenant__slug", flat=True)) == {"demo", "acme"}
    again = client.post(url)
    assert again.status_code == 409 and "Only a scheduled window that has not ended" in again.content.decode()
    assert "move/" not in client.get(f"/console/maintenance-windows/{window.id}/").content.decode()


def test_a_window_nobody_was_told_about_is_cancelled_without_an_email(console, clock, demo) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])  # notices not sent yet (on commit)
    clock(paris(2027, 3, 20))
    page = console().get(f"/console/maintenance-windows/{window.id}/cancel/")
    assert "No organisation has been told yet: no e-mail leaves." in page.context["consequence"]


def test_the_admin_underneath_only_lists_windows(console, clock) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    clock(paris(2027, 3, 20))
    client = console()
    assert client.get("/console/maintenance/maintenancewindow/").status_code == 200
    assert client.get("/console/maintenance/maintenancewindow/add/").status_code == 403
    client.post(f"/console/maintenance/maintenancewindow/{window.id}/change/",
                {"start_0": "2027-04-03", "start_1": "14:00:00", "end_0": "2027-04-03", "end_1": "16:00:00"})
    client.post("/console/maintenance/maintenancewindow/",
                {"action": "cancel_windows", "_selected_action": [str(window.id)]})
    window.refresh_from_db()
    assert (window.start, window.status, window.revision) == (MARCH_SAT_NOON, "scheduled", 1)


def test_console_is_for_operators_only(demo) -> None:
    for url in ("/console/maintenance-windows/", NEW, "/console/maintenance/maintenancewindow/"):
        anonymous = Client(HTTP_HOST="localhost").get(url)
        assert anonymous.status_code == 302 and "/console/login/" in anonymous["Location"]


def test_console_schedules_a_window_for_chosen_tenants(console, clock, demo, acme) -> None:
    clock(paris(2027, 3, 20))
    client = console()
    refused = client.post(NEW, _form(scope="selected"))
    assert refused.status_code == 400 and "Choose at least one organisation" in refused.content.decode()
    response = client.post(NEW, _form(scope="selected", tenants=[str(demo.id)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    window = MaintenanceWindow.objects.get()
    assert list(window.tenants.all()) == [demo]


def test_the_window_list_shows_what_is_ahead_and_has_an_empty_state(console, clock) -> None:
    clock(paris(2027, 3, 20))
    empty = console().get("/console/maintenance-windows/").content.decode()
    assert "No window." in empty
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, now=paris(2027, 3, 20))
    listed = console().get("/console/maintenance-windows/")
    assert listed.context["page"].paginator.count == 1
