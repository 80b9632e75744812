"""The selectors the courses app calls to keep quiz deadlines and timed quizzes out of windows."""

from __future__ import annotations

from datetime import timedelta

from maintenance.selectors import maintenance_window_next, maintenance_windows_overlapping
from maintenance.services import maintenance_window_cancel
from tests.factories import MaintenanceWindowFactory
from tests.maintenance.helpers import MARCH_SAT_NOON, OCTOBER_SAT_NOON, paris


def test_overlapping_finds_the_windows_of_the_tenant_only(demo, acme) -> None:
    for_demo = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[acme])
    for_all = MaintenanceWindowFactory(start=OCTOBER_SAT_NOON)
    found = maintenance_windows_overlapping(schema_name=demo.schema_name, start=paris(2027, 3, 1),
                                            end=paris(2027, 12, 1))
    assert list(found) == [for_demo, for_all]


def test_overlap_boundaries_are_half_open(demo) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])  # 12:00–18:00
    end = MARCH_SAT_NOON + timedelta(hours=6)

    def hits(start, stop) -> list:
        return list(maintenance_windows_overlapping(schema_name=demo.schema_name, start=start, end=stop))

    assert hits(MARCH_SAT_NOON - timedelta(hours=1), MARCH_SAT_NOON) == []  # ends when the window starts
    assert hits(MARCH_SAT_NOON - timedelta(hours=1), MARCH_SAT_NOON + timedelta(minutes=1)) == [window]
    assert hits(end, end + timedelta(hours=1)) == []  # starts when the window ends
    assert hits(end - timedelta(minutes=1), end + timedelta(hours=1)) == [window]
    # a single moment (a quiz deadline): inside when window.start <= t < window.end
    assert hits(MARCH_SAT_NOON, MARCH_SAT_NOON) == [window]
    assert hits(end, end) == []


def test_cancelled_windows_do_not_overlap(demo, operator) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    maintenance_window_cancel(window=window, actor=operator, now=paris(2027, 3, 25))
    assert not maintenance_windows_overlapping(schema_name=demo.schema_name, start=MARCH_SAT_NOON,
                                               end=MARCH_SAT_NOON).exists()


def test_next_window_is_the_current_one_then_the_following_one(demo, acme) -> None:
    first = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    MaintenanceWindowFactory(start=paris(2027, 4, 3, 12), tenants=[acme])
    second = MaintenanceWindowFactory(start=OCTOBER_SAT_NOON)
    assert maintenance_window_next(schema_name=demo.schema_name, now=paris(2027, 3, 1)) == first
    assert maintenance_window_next(schema_name=demo.schema_name, now=MARCH_SAT_NOON + timedelta(hours=1)) == first
    assert maintenance_window_next(schema_name=demo.schema_name, now=MARCH_SAT_NOON + timedelta(hours=6)) == second
    assert maintenance_window_next(schema_name=demo.schema_name, now=paris(2027, 11, 1)) is None


def test_selectors_work_from_inside_a_tenant_schema_as_courses_calls_them(demo) -> None:
    from django.db import connection
    from django_tenants.utils import schema_context

    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    with schema_context(demo.schema_name):
        deadline = MARCH_SAT_NOON + timedelta(hours=1)
        found = list(maintenance_windows_overlapping(schema_name=connection.schema_name, start=deadline,
                                                     end=deadline))
        upcoming = maintenance_window_next(schema_name=connection.schema_name, now=paris(2027, 3, 1))
    assert found == [window] and upcoming == window
