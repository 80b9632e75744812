"""Issue 9 item 6 — GCS art. 8 per organisation, not per window: planned windows that overlap or touch make
one interruption for every organisation they both cover, and that interruption lasts at most 24 hours and
starts on a Saturday at or after 12:00 (Europe/Paris). A window over quiz deadlines names the courses to
the operator. The 48-hour notice is checked again when the announcement actually goes out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from maintenance.models import MaintenanceNotice, MaintenanceWindow
from maintenance.services import (
    MaintenanceRuleError,
    maintenance_notices_send_due,
    maintenance_window_cancel,
    maintenance_window_move,
)
from tenants.models import AuditEvent
from tests.factories import MaintenanceWindowFactory
from tests.helpers import api_client, api_token, console_client
from tests.maintenance.helpers import MARCH_SAT_NOON, OCTOBER_SAT_NOON

H = timedelta(hours=1)


def _refused(**kwargs) -> MaintenanceRuleError:
    with pytest.raises(MaintenanceRuleError) as caught:
        MaintenanceWindowFactory(**kwargs)
    return caught.value


@pytest.mark.parametrize("saturday_noon", [MARCH_SAT_NOON, OCTOBER_SAT_NOON], ids=["march", "october"])
def test_overlapping_windows_whose_union_exceeds_24_hours_are_refused(db, saturday_noon) -> None:
    MaintenanceWindowFactory(start=saturday_noon, hours=18)  # Sat 12:00 → Sun 06:00
    error = _refused(start=saturday_noon + 8 * H, hours=18)  # Sat 20:00 → Sun 14:00: 26 h in a row
    assert error.code == "maintenance_too_long"
    assert [rule["code"] for rule in error.details["broken_rules"]] == ["maintenance_too_long"]
    assert "26 h 00 min in a row" in error.message and "every organisation" in error.message
    assert MaintenanceWindow.objects.count() == 1


@pytest.mark.parametrize("saturday_noon", [MARCH_SAT_NOON, OCTOBER_SAT_NOON], ids=["march", "october"])
def test_adjacent_windows_add_up(db, saturday_noon) -> None:
    MaintenanceWindowFactory(start=saturday_noon, hours=6)  # Sat 12:00 → 18:00
    error = _refused(start=saturday_noon + 6 * H, hours=19)  # Sat 18:00, 19 h: 25 h in a row
    assert error.code == "maintenance_too_long" and "25 h 00 min in a row" in error.message
    MaintenanceWindowFactory(start=saturday_noon + 6 * H, hours=18)  # 24 h in a row: allowed
    assert MaintenanceWindow.objects.count() == 2


def test_a_union_of_exactly_24_hours_is_allowed_and_one_minute_more_is_not(db) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=6)
    MaintenanceWindowFactory(start=MARCH_SAT_NOON + 6 * H, hours=18)  # union: Sat 12:00 CET → Sun 13:00 CEST = 24 h
    assert MaintenanceWindow.objects.count() == 2
    error = _refused(start=MARCH_SAT_NOON + 4 * H, hours=20 + 1 / 60)
    assert error.code == "maintenance_too_long" and "24 h 01 min in a row" in error.message


def test_the_cap_is_per_organisation(db, demo, acme) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=18, tenants=[demo])
    MaintenanceWindowFactory(start=MARCH_SAT_NOON + 8 * H, hours=18, tenants=[acme])  # another organisation: allowed
    error = _refused(start=MARCH_SAT_NOON + 8 * H, hours=18)  # every organisation: demo would be down 26 h
    assert error.code == "maintenance_too_long"
    assert "Demo University (demo)" in error.message and "acme" not in error.message
    assert error.details["tenants"] == ["demo"]
    error = _refused(start=MARCH_SAT_NOON + H, hours=18, tenants=[acme])  # with acme's window: 25 h
    assert error.details["tenants"] == ["acme"] and "(acme)" in error.message and "(demo)" not in error.message


def test_a_gap_between_windows_makes_two_interruptions(db) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=6)
    MaintenanceWindowFactory(start=MARCH_SAT_NOON + 6 * H + timedelta(minutes=1), hours=20)
    assert MaintenanceWindow.objects.count() == 2


def test_cancelled_and_emergency_windows_do_not_count(db, operator) -> None:
    first = MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=18)
    maintenance_window_cancel(window=first, now=MARCH_SAT_NOON - timedelta(days=2))
    MaintenanceWindowFactory(start=MARCH_SAT_NOON + 8 * H, hours=18)
    MaintenanceWindowFactory(start=MARCH_SAT_NOON - 20 * H, hours=20, emergency=True, justification="Disk failing")
    assert MaintenanceWindow.objects.exclude(status="cancelled").count() == 2


def test_moving_a_window_against_another_is_refused_and_it_never_counts_against_itself(db) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=6)
    other = MaintenanceWindowFactory(start=MARCH_SAT_NOON + 7 * H, hours=10)
    now = MARCH_SAT_NOON - timedelta(days=3)
    moved = maintenance_window_move(window=other, start=MARCH_SAT_NOON + 7 * H, end=MARCH_SAT_NOON + 24 * H, now=now)
    assert moved.revision == 2  # over its own old times: fine
    with pytest.raises(MaintenanceRuleError) as caught:
        maintenance_window_move(window=other, start=MARCH_SAT_NOON + 6 * H, end=MARCH_SAT_NOON + 25 * H, now=now)
    assert caught.value.code == "maintenance_too_long" and "25 h 00 min in a row" in caught.value.message


def test_an_interruption_must_start_on_saturday_noon_even_through_an_older_window(db) -> None:
    """A planned window recorded before the rules (a friday evening) makes any window touching it part of
    an interruption that does not start on a Saturday at or after 12:00."""
    MaintenanceWindow.objects.create(start=MARCH_SAT_NOON - 13 * H, end=MARCH_SAT_NOON + 2 * H, scope="all",
                                     reason="legacy", message_fr="x", message_en="x",
                                     announced_at=MARCH_SAT_NOON - timedelta(days=9))
    error = _refused(start=MARCH_SAT_NOON + 2 * H, hours=2)
    assert [rule["code"] for rule in error.details["broken_rules"]] == ["maintenance_not_saturday_noon"]
    assert "Friday 26 March 2027 23:00" in error.message


def test_console_shows_the_per_organisation_rule_on_the_form(operator, demo, clock) -> None:
    clock(MARCH_SAT_NOON - timedelta(days=3))
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=18, now=None)
    client = console_client(operator.email)
    page = client.post("/console/maintenance-windows/new/", {
        "start": "2027-03-27T20:00", "end": "2027-03-28T14:00", "scope": "all", "kind": "planned",
        "justification": "", "reason": "upgrade", "message_fr": "Mise à jour.", "message_en": "Upgrade."})
    assert page.status_code == 400
    assert "[maintenance_too_long]" in page.content.decode() and "in a row" in page.content.decode()
    assert MaintenanceWindow.objects.count() == 1


# --- Quiz deadlines under a window -------------------------------------------------------------------


def _quiz_with_deadline(tenant, deadline, title="Statistics 101"):
    from courses import services
    from courses.models import Lesson
    from tests.courses.helpers import quiz_of
    from tests.factories import CourseFactory, UserFactory

    with schema_context(tenant.schema_name):
        author = UserFactory(role="instructor")
        course = CourseFactory(author=author)
        services.course_update(course=course, actor=author, title=title)
        quiz = quiz_of(course)
        Lesson.objects.filter(pk=quiz.pk).update(deadline=deadline)
        return course.pk, quiz.pk


def test_a_window_over_quiz_deadlines_names_the_courses_to_the_operator(demo, acme, operator, clock) -> None:
    clock(MARCH_SAT_NOON - timedelta(days=3))
    _quiz_with_deadline(demo, MARCH_SAT_NOON + 3 * H, title="Statistics 101")
    _quiz_with_deadline(demo, MARCH_SAT_NOON + 6 * H, title="Ends when the window ends")  # not inside
    _quiz_with_deadline(acme, MARCH_SAT_NOON, title="Algèbre")  # exactly at the start: inside
    token = api_token("localhost", "operator@demo.test")
    response = api_client("localhost", token).post("/api/v1/maintenance-windows/", {
        "start": MARCH_SAT_NOON.isoformat(), "end": (MARCH_SAT_NOON + 6 * H).isoformat(), "scope": "all",
        "reason": "upgrade", "message_fr": "Mise à jour.", "message_en": "Upgrade."}, format="json")
    assert response.status_code == 201, response.json()
    affected = response.json()["quiz_deadlines_affected"]
    assert [(a["tenant_slug"], a["course_title"], a["lesson_title"], a["deadline"]) for a in affected] == [
        ("acme", "Algèbre", "Quiz", "2027-03-27T11:00:00Z"),
        ("demo", "Statistics 101", "Quiz", "2027-03-27T14:00:00Z"),
    ]
    event = AuditEvent.objects.get(action="maintenance_window.scheduled")
    assert [a["course_title"] for a in event.after["quiz_deadlines_affected"]] == ["Algèbre", "Statistics 101"]
    only_acme = MaintenanceWindowFactory(start=OCTOBER_SAT_NOON, tenants=[acme])
    assert only_acme.quiz_deadlines_affected == []


def test_moving_a_window_onto_a_deadline_names_the_course(demo, operator) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=2, tenants=[demo])
    assert window.quiz_deadlines_affected == []
    _quiz_with_deadline(demo, MARCH_SAT_NOON + 4 * H, title="Moved onto")
    moved = maintenance_window_move(window=window, start=MARCH_SAT_NOON, end=MARCH_SAT_NOON + 5 * H,
                                    now=MARCH_SAT_NOON - timedelta(days=3))
    assert [a["course_title"] for a in moved.quiz_deadlines_affected] == ["Moved onto"]


# --- The 48-hour notice, when it actually goes out ---------------------------------------------------


def test_an_announcement_going_out_less_than_48_hours_ahead_is_flagged_late(demo, mailoutbox) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], now=MARCH_SAT_NOON - timedelta(days=3))
    MaintenanceNotice.objects.all().delete()
    mailoutbox.clear()
    sent = maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(hours=47, minutes=59), window_id=window.id)
    assert [(n.kind, n.late) for n in sent] == [("announcement", True)]
    notice = MaintenanceNotice.objects.get()
    assert notice.late is True and len(mailoutbox) == 1  # told late is better than not told: sent, and flagged
    event = AuditEvent.objects.get(action="maintenance_window.notice_late")
    assert event.after == {"tenant": "demo", "revision": 1, "sent_at": "2027-03-25T11:01:00+00:00",
                           "notice": "47 h 59 min"}


def test_an_announcement_going_out_exactly_48_hours_ahead_is_on_time(demo) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], now=MARCH_SAT_NOON - timedelta(days=3))
    sent = maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(hours=48), window_id=window.id)
    assert [(n.kind, n.late) for n in sent] == [("announcement", False)]
    assert MaintenanceNotice.objects.get().late is False
    assert not AuditEvent.objects.filter(action="maintenance_window.notice_late").exists()


def test_emergency_announcements_are_never_late(demo) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON - 20 * H, hours=2, tenants=[demo], emergency=True,
                             justification="Disk failing", now=MARCH_SAT_NOON - 21 * H)
    sent = maintenance_notices_send_due(now=MARCH_SAT_NOON - 21 * H, window_id=window.id)
    assert [(n.kind, n.late) for n in sent] == [("announcement", False)]


def test_a_late_announcement_counts_the_window_as_unannounced_downtime_for_that_organisation(demo, acme) -> None:
    from maintenance.selectors import sla_report_monthly_all_tenants

    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, hours=6, now=MARCH_SAT_NOON - timedelta(days=3))
    maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(hours=50), window_id=window.id)  # on time
    MaintenanceNotice.objects.filter(tenant=demo).delete()  # demo's e-mail failed; it leaves 47 h ahead
    maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(hours=47), window_id=window.id)
    rows = {row.tenant_slug: row for row in sla_report_monthly_all_tenants(month=MARCH_SAT_NOON.date())}
    assert (rows["demo"].unannounced_downtime_seconds, rows["demo"].announced_maintenance_seconds) == (6 * 3600, 0)
    assert (rows["acme"].unannounced_downtime_seconds, rows["acme"].announced_maintenance_seconds) == (0, 6 * 3600)


def test_run_maintenance_notices_names_late_announcements(demo, capsys, clock) -> None:
    from django.core.management import call_command

    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], now=MARCH_SAT_NOON - timedelta(days=3))
    clock(MARCH_SAT_NOON - timedelta(hours=30))
    call_command("run_maintenance_notices", "--dry-run")
    out = capsys.readouterr().out
    assert (f"would send announcement of window {window.id} (revision 1) to demo [en]: admin@demo.test — LATE: "
            "less than 48 hours before the window (GCS art. 8)") in out
