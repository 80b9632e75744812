"""Incidents and availability (SPEC R26 — GCS art. 8, `001_…` §14): operators record unplanned incidents from the
console; they show on /status/ and in the iCalendar feed's history; the monthly availability report counts them per
organisation (planned windows excluded; emergency windows and incidents included; force majeure reported apart and
not counted) against a configurable target (99 %)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
from django.test import Client, override_settings

from maintenance.models import Incident
from maintenance.selectors import sla_report_monthly_all_tenants
from maintenance.services import IncidentInvalidError, incident_record, incident_update
from tenants.models import AuditEvent
from tests.factories import MaintenanceWindowFactory
from tests.helpers import api_client, api_token, console_client
from tests.maintenance.helpers import MARCH_SAT_NOON, paris

IP = "203.0.113.61"


def _admin_form(start, end=None, **extra):  # type: ignore[no-untyped-def]
    """The console's add form: dates and times entered in Paris time."""
    data = {"start_0": f"{start:%Y-%m-%d}", "start_1": f"{start:%H:%M:%S}", "scope": "all",
            "summary_fr": "Base de données indisponible.", "summary_en": "Database unavailable.", **extra}
    if end is not None:
        data |= {"end_0": f"{end:%Y-%m-%d}", "end_1": f"{end:%H:%M:%S}"}
    return data


def test_the_console_records_an_incident_shown_on_the_status_page_and_in_the_calendar(demo, operator, clock) -> None:
    from zoneinfo import ZoneInfo

    clock(paris(2027, 3, 10, 15))
    console = console_client(operator.email, REMOTE_ADDR=IP)
    paris_zone = ZoneInfo("Europe/Paris")
    future = console.post("/console/maintenance/incident/add/",
                          _admin_form(paris(2027, 3, 10, 16).astimezone(paris_zone)))
    assert future.status_code == 200 and "its start cannot be in the future" in future.content.decode()
    assert not Incident.objects.exists()

    added = console.post("/console/maintenance/incident/add/",
                         _admin_form(paris(2027, 3, 10, 14).astimezone(paris_zone)))
    assert added.status_code == 302, added.content.decode()[:2000]
    incident = Incident.objects.get()
    assert (incident.start, incident.end, incident.force_majeure) == (paris(2027, 3, 10, 14), None, False)
    recorded = AuditEvent.objects.get(action="incident.recorded")
    assert (recorded.actor_email, recorded.ip_address) == ("operator@demo.test", IP)

    page = Client(HTTP_HOST="localhost").get("/status/").content.decode()
    current = page.split('data-testid="incidents-current"')[1].split("</table>")[0]
    assert "Database unavailable." in current and "Wed 10 Mar 2027 14:00 CET" in current
    french = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="fr").get("/status/").content.decode()
    assert "Base de données indisponible." in french

    # The operator closes it: it moves to the history, in the feed too.
    clock(paris(2027, 3, 10, 17))
    console = console_client(operator.email, REMOTE_ADDR=IP)
    changed = console.post(f"/console/maintenance/incident/{incident.pk}/change/", {
        "end_0": "2027-03-10", "end_1": "16:30:00", "summary_fr": incident.summary_fr,
        "summary_en": incident.summary_en})
    assert changed.status_code == 302, changed.content.decode()[:2000]
    assert Incident.objects.get().end == paris(2027, 3, 10, 16, 30)
    assert AuditEvent.objects.get(action="incident.updated").before["end"] is None
    page = Client(HTTP_HOST="localhost").get("/status/").content.decode()
    past = page.split('data-testid="incidents-past"')[1].split("</table>")[0]
    assert "Database unavailable." in past and "16:30 CET" in past
    calendar = icalendar.Calendar.from_ical(Client(HTTP_HOST="localhost").get("/status/maintenance.ics").content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    event = events[f"incident-{incident.pk}@localhost"]
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (paris(2027, 3, 10, 14), paris(2027, 3, 10, 16, 30))
    assert str(event["summary"]) == "Incident (all organisations) / Incident (toutes les organisations)"
    assert "Database unavailable." in str(event["description"])


def test_bad_incidents_are_refused_with_the_reason(demo, operator, clock) -> None:
    clock(paris(2027, 3, 10, 15))
    with pytest.raises(IncidentInvalidError) as refused:
        incident_record(start=paris(2027, 3, 10, 14), end=paris(2027, 3, 10, 13), scope="selected", tenants=[],
                        summary_fr="", summary_en="x", force_majeure=False, actor=operator)
    assert set(refused.value.details) == {"end", "tenants", "summary"}


@override_settings(MAINTENANCE_AVAILABILITY_TARGET="99.5")
def test_availability_counts_incidents_and_emergencies_not_planned_windows_nor_force_majeure(
        demo, acme, operator, clock) -> None:
    clock(paris(2027, 2, 1))
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=6)  # planned, announced: excluded
    clock(paris(2027, 3, 31, 12))
    incident_record(start=paris(2027, 3, 3, 10), end=paris(2027, 3, 3, 13), scope="all", summary_fr="a",
                    summary_en="a", force_majeure=False, actor=operator)
    incident_record(start=paris(2027, 3, 3, 12), end=paris(2027, 3, 3, 14), scope="selected", tenants=[demo],
                    summary_fr="b", summary_en="b", force_majeure=False, actor=operator)
    incident_record(start=paris(2027, 3, 20, 8), end=paris(2027, 3, 20, 13), scope="all", summary_fr="Hébergeur",
                    summary_en="Host failure", force_majeure=True, actor=operator)
    rows = {row.tenant_slug: row for row in sla_report_monthly_all_tenants(month=paris(2027, 3, 15).date())}
    demo_row, acme_row = rows[demo.slug], rows[acme.slug]
    assert demo_row.month_seconds == 31 * 86400 - 3600  # the spring-forward hour
    # demo: 10:00–14:00 once (the overlap counts once); acme: 10:00–13:00.
    assert (demo_row.unannounced_downtime_seconds, demo_row.incident_seconds) == (14400, 14400)
    assert (acme_row.unannounced_downtime_seconds, acme_row.incident_seconds) == (10800, 10800)
    assert demo_row.force_majeure_seconds == acme_row.force_majeure_seconds == 18000
    assert demo_row.announced_maintenance_seconds == 6 * 3600
    assert (demo_row.availability_percent, demo_row.target_met) == (Decimal("99.462"), False)
    assert (acme_row.availability_percent, acme_row.target_met) == (Decimal("99.596"), True)

    body = api_client("localhost", api_token("localhost", "operator@demo.test")).get(
        "/api/v1/sla-reports/?month=2027-03").json()
    api_demo = next(row for row in body["results"] if row["tenant_slug"] == demo.slug)
    assert (api_demo["availability_percent"], api_demo["target_percent"], api_demo["target_met"],
            api_demo["force_majeure_seconds"]) == ("99.462", "99.500", False, 18000)
    page = console_client(operator.email).get("/console/maintenance/maintenancewindow/sla-report/?month=2027-03")
    content = page.content.decode()
    assert "Target 99.5\u00a0%" in content, content[content.find("Availability ="):][:900]
    assert "99.462\u00a0%" in content and "missed" in content


def test_an_incident_in_progress_counts_until_now(demo, operator, clock) -> None:
    clock(paris(2027, 3, 3, 10))
    incident = incident_record(start=paris(2027, 3, 3, 10), end=None, scope="all", summary_fr="c", summary_en="c",
                               force_majeure=False, actor=operator)
    clock(paris(2027, 3, 3, 12))
    row = next(r for r in sla_report_monthly_all_tenants(month=paris(2027, 3, 3).date()) if r.tenant_slug == demo.slug)
    assert row.unannounced_downtime_seconds == 7200
    with pytest.raises(IncidentInvalidError):
        incident_update(incident=incident, end=paris(2027, 3, 3, 13), force_majeure=False, summary_fr="c",
                        summary_en="c", actor=operator)  # not in the future
    clock(paris(2027, 3, 3, 12) + timedelta(minutes=5))
    incident_update(incident=incident, end=paris(2027, 3, 3, 12), force_majeure=True, summary_fr="c",
                    summary_en="c", actor=operator)
    row = next(r for r in sla_report_monthly_all_tenants(month=paris(2027, 3, 3).date()) if r.tenant_slug == demo.slug)
    assert (row.unannounced_downtime_seconds, row.force_majeure_seconds) == (0, 7200)
