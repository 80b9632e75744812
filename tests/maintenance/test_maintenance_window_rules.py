"""GCS art. 8 / SPEC R16: planned windows start on a Saturday at or after 12:00 Europe/Paris, last at most
24 hours and are scheduled at least 48 hours ahead — across the DST changes of March and October 2027."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from maintenance.models import MaintenanceWindow
from maintenance.rules import planned_window_rules_check
from maintenance.services import JustificationRequiredError, MaintenanceRuleError, maintenance_window_schedule
from tenants.models import AuditEvent
from tests.maintenance.helpers import MARCH_SAT_NOON, OCTOBER_SAT_NOON, paris


def _schedule(*, start, end, **extra):
    return maintenance_window_schedule(
        start=start, end=end, scope="all", reason="upgrade", message_fr="Mise à jour.", message_en="Upgrade.", **extra
    )


def _refusal(start, end, now) -> MaintenanceRuleError:
    with time_machine.travel(now, tick=False), pytest.raises(MaintenanceRuleError) as caught:
        _schedule(start=start, end=end)
    return caught.value


@pytest.mark.parametrize("saturday_noon", [MARCH_SAT_NOON, OCTOBER_SAT_NOON], ids=["march", "october"])
def test_friday_start_is_refused_with_the_saturday_noon_rule(db, saturday_noon) -> None:
    friday_noon = saturday_noon - timedelta(days=1)
    error = _refusal(friday_noon, friday_noon + timedelta(hours=4), now=friday_noon - timedelta(days=7))
    assert error.code == "maintenance_not_saturday_noon"
    assert [rule["code"] for rule in error.details["broken_rules"]] == ["maintenance_not_saturday_noon"]
    assert "Saturday at or after 12:00" in error.message and "Friday" in error.message
    assert not MaintenanceWindow.objects.exists()


@pytest.mark.parametrize("saturday", [paris(2027, 3, 27, 11, 59), paris(2027, 10, 30, 11, 59)],
                         ids=["march", "october"])
def test_saturday_1159_is_refused_with_the_saturday_noon_rule(db, saturday) -> None:
    error = _refusal(saturday, saturday + timedelta(hours=4), now=saturday - timedelta(days=7))
    assert error.code == "maintenance_not_saturday_noon"
    assert len(error.details["broken_rules"]) == 1


@pytest.mark.parametrize("saturday_noon", [MARCH_SAT_NOON, OCTOBER_SAT_NOON], ids=["march", "october"])
def test_47_hours_59_minutes_notice_is_refused_with_the_notice_rule(db, saturday_noon) -> None:
    error = _refusal(saturday_noon, saturday_noon + timedelta(hours=4),
                     now=saturday_noon - timedelta(hours=47, minutes=59))
    assert error.code == "maintenance_notice_too_short"
    assert [rule["code"] for rule in error.details["broken_rules"]] == ["maintenance_notice_too_short"]
    assert "47 h 59 min" in error.message


@pytest.mark.parametrize("saturday_noon", [MARCH_SAT_NOON, OCTOBER_SAT_NOON], ids=["march", "october"])
def test_24_hours_01_minute_is_refused_with_the_duration_rule(db, saturday_noon) -> None:
    error = _refusal(saturday_noon, saturday_noon + timedelta(hours=24, minutes=1),
                     now=saturday_noon - timedelta(days=3))
    assert error.code == "maintenance_too_long"
    assert [rule["code"] for rule in error.details["broken_rules"]] == ["maintenance_too_long"]
    assert "24 h 01 min" in error.message


def test_saturday_noon_with_exactly_48_hours_notice_and_24_hours_is_accepted_over_spring_forward(db) -> None:
    # Sat 27 March 12:00 CET (11:00 UTC) to Sun 28 March 13:00 CEST (11:00 UTC): 24 h of real time,
    # although the wall clock moves 25 hours.
    end = paris(2027, 3, 28, 13)
    assert end - MARCH_SAT_NOON == timedelta(hours=24)
    with time_machine.travel(MARCH_SAT_NOON - timedelta(hours=48), tick=False):
        window = _schedule(start=MARCH_SAT_NOON, end=end)
    assert window.status == MaintenanceWindow.Status.SCHEDULED
    assert window.start.isoformat() == "2027-03-27T11:00:00+00:00"
    assert window.end.isoformat() == "2027-03-28T11:00:00+00:00"
    assert window.announced_at.isoformat() == "2027-03-25T11:00:00+00:00"


def test_saturday_noon_with_exactly_48_hours_notice_and_24_hours_is_accepted_over_fall_back(db) -> None:
    # Sat 30 October 12:00 CEST (10:00 UTC) to Sun 31 October 11:00 CET (10:00 UTC): 24 h of real time.
    end = paris(2027, 10, 31, 11)
    with time_machine.travel(OCTOBER_SAT_NOON - timedelta(hours=48), tick=False):
        window = _schedule(start=OCTOBER_SAT_NOON, end=end)
    assert (window.end - window.start) == timedelta(hours=24)
    assert window.end.isoformat() == "2027-10-31T10:00:00+00:00"


def test_noon_to_noon_over_fall_back_is_25_real_hours_and_refused(db) -> None:
    error = _refusal(OCTOBER_SAT_NOON, paris(2027, 10, 31, 12), now=OCTOBER_SAT_NOON - timedelta(days=3))
    assert error.code == "maintenance_too_long"
    assert "25 h 00 min" in error.message


def test_noon_to_1301_over_spring_forward_is_24_hours_01_minute_and_refused(db) -> None:
    error = _refusal(MARCH_SAT_NOON, paris(2027, 3, 28, 13, 1), now=MARCH_SAT_NOON - timedelta(days=3))
    assert error.code == "maintenance_too_long"


def test_saturday_late_evening_start_is_allowed(db) -> None:
    start = paris(2027, 10, 30, 23, 30)
    assert planned_window_rules_check(start=start, end=start + timedelta(hours=2), now=start - timedelta(days=2)) == []


def test_every_broken_rule_is_listed_in_the_details(db) -> None:
    friday_morning = paris(2027, 3, 26, 9)
    error = _refusal(friday_morning, friday_morning + timedelta(hours=30), now=friday_morning - timedelta(hours=1))
    assert error.code == "maintenance_not_saturday_noon"
    assert [rule["code"] for rule in error.details["broken_rules"]] == [
        "maintenance_not_saturday_noon", "maintenance_too_long", "maintenance_notice_too_short"]


def test_end_before_start_is_refused(db) -> None:
    error = _refusal(MARCH_SAT_NOON, MARCH_SAT_NOON - timedelta(minutes=1), now=MARCH_SAT_NOON - timedelta(days=3))
    assert error.code == "maintenance_end_before_start"


def test_emergency_without_justification_is_refused(db, operator) -> None:
    now = paris(2027, 3, 24, 15)  # a Wednesday afternoon: breaks every planned rule
    with time_machine.travel(now, tick=False), pytest.raises(JustificationRequiredError) as caught:
        _schedule(start=now, end=now + timedelta(hours=30), emergency=True, justification="   ", actor=operator)
    assert caught.value.code == "maintenance_justification_required"
    assert not MaintenanceWindow.objects.exists()


def test_emergency_with_justification_is_accepted_announced_at_once_and_audited(db, operator) -> None:
    now = paris(2027, 3, 24, 15)
    with time_machine.travel(now, tick=False):
        window = _schedule(start=now + timedelta(minutes=10), end=now + timedelta(hours=30), emergency=True,
                           justification="Disk failing on the primary: data at risk.", actor=operator)
    assert window.kind == MaintenanceWindow.Kind.EMERGENCY
    assert window.announced_at == now
    event = AuditEvent.objects.get(action="maintenance_window.scheduled_emergency")
    assert event.actor_email == "operator@demo.test"
    assert event.target_type == "MaintenanceWindow" and event.target_id == str(window.id)
    assert event.after["justification"] == "Disk failing on the primary: data at risk."
    assert event.after["kind"] == "emergency"


def test_database_refuses_an_unjustified_emergency_row(db) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MaintenanceWindow.objects.create(start=MARCH_SAT_NOON, end=MARCH_SAT_NOON + timedelta(hours=1),
                                         kind="emergency", justification="", reason="x", message_fr="x",
                                         message_en="x")
