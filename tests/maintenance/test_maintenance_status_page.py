"""SPEC R18: /status/ and /status/maintenance.ics on the platform host list current and upcoming windows
(and the past 90 days), without naming any organisation."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from django.test import Client

from maintenance.services import maintenance_window_cancel
from tests.factories import MaintenanceWindowFactory
from tests.helpers import host_of
from tests.maintenance.helpers import MARCH_SAT_NOON, OCTOBER_SAT_NOON, paris


def test_status_page_lists_current_upcoming_and_past_windows(demo, acme, operator, clock) -> None:
    old = MaintenanceWindowFactory(start=paris(2027, 1, 9, 12), message_en="Old upgrade.")
    ancient = MaintenanceWindowFactory(start=paris(2026, 12, 5, 12), message_en="Ancient upgrade.")
    current = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], message_en="Current upgrade.")
    upcoming = MaintenanceWindowFactory(start=OCTOBER_SAT_NOON, message_en="Upcoming upgrade.")
    cancelled = MaintenanceWindowFactory(start=paris(2027, 4, 3, 12), message_en="Cancelled upgrade.")
    maintenance_window_cancel(window=cancelled, actor=operator, now=paris(2027, 3, 20))
    clock(MARCH_SAT_NOON + timedelta(hours=1))
    response = Client(HTTP_HOST="localhost").get("/status/")
    assert response.status_code == 200
    content = response.content.decode()
    current_section = content.split('data-testid="status-current"')[1].split("</table>")[0]
    upcoming_section = content.split('data-testid="status-upcoming"')[1].split("</table>")[0]
    past_section = content.split('data-testid="status-past"')[1].split("</table>")[0]
    assert f'data-window-id="{current.id}"' in current_section
    assert "Sat 27 Mar 2027 12:00 CET" in current_section and "Selected organisations" in current_section
    assert f'data-window-id="{upcoming.id}"' in upcoming_section and "All organisations" in upcoming_section
    assert f'data-window-id="{old.id}"' in past_section
    assert f'data-window-id="{ancient.id}"' not in content  # more than 90 days ago
    assert "Cancelled upgrade." not in content
    assert "Demo University" not in content and "PostgreSQL upgrade" not in content  # no tenant, no reason


def test_status_page_is_not_served_on_a_tenant_host(demo) -> None:
    assert Client(HTTP_HOST=host_of(demo)).get("/status/").status_code == 404


def test_ics_feed_parses_and_lists_the_windows(demo, clock) -> None:
    spring = MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=24, tenants=[demo])
    autumn = MaintenanceWindowFactory(start=OCTOBER_SAT_NOON, hours=24)
    clock(MARCH_SAT_NOON - timedelta(days=1))
    response = Client(HTTP_HOST="localhost").get("/status/maintenance.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"maintenance-window-{spring.id}@localhost", f"maintenance-window-{autumn.id}@localhost"}
    event = events[f"maintenance-window-{spring.id}@localhost"]
    assert event.decoded("dtstart") == MARCH_SAT_NOON
    assert event.decoded("dtend") == paris(2027, 3, 28, 13)  # 24 h later, in summer time
    assert "Database upgrade." in str(event["description"])
    assert str(event["summary"]).startswith("Scheduled maintenance (some organisations)")
    assert events[f"maintenance-window-{autumn.id}@localhost"].decoded("dtend") == paris(2027, 10, 31, 11)


def test_ics_event_sequence_grows_when_the_window_moves(demo, operator, clock) -> None:
    from maintenance.services import maintenance_window_move

    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    later = paris(2027, 4, 3, 14)
    maintenance_window_move(window=window, start=later, end=later + timedelta(hours=2), actor=operator,
                            now=paris(2027, 3, 20))
    clock(paris(2027, 3, 21))
    calendar = icalendar.Calendar.from_ical(Client(HTTP_HOST="localhost").get("/status/maintenance.ics").content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("sequence") == 2
    assert event.decoded("dtstart") == later
