"""SPEC R16: the administrators of every affected tenant are told by e-mail (text + HTML, in the
tenant's language) when a window is scheduled, reminded 24 hours before, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from maintenance.models import MaintenanceNotice, MaintenanceWindow
from maintenance.services import (
    maintenance_notices_send_due,
    maintenance_window_cancel,
    maintenance_window_move,
)
from mooc_platform.accounts.models import User
from tests.factories import MaintenanceWindowFactory
from tests.maintenance.helpers import MARCH_SAT_NOON, OCTOBER_SAT_NOON, paris


def _to(mail) -> list[list[str]]:
    return sorted(message.to for message in mail)


def test_scheduling_emails_the_administrators_of_the_affected_tenant_only(
    demo, acme, operator, mailoutbox, django_capture_on_commit_callbacks, clock
) -> None:
    clock(MARCH_SAT_NOON - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], actor=operator, now=None)
    assert _to(mailoutbox) == [["admin@demo.test"]]  # not the learners, not the instructor, not acme
    message = mailoutbox[0]
    assert message.subject == "Scheduled maintenance on Saturday 27 March 2027 — Demo University"
    assert "from Saturday 27 March 2027, 12:00 CET" in message.body
    assert "to   Saturday 27 March 2027, 18:00 CET (Europe/Paris)" in message.body
    assert "Database upgrade." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<strong>Demo University</strong>" in html
    notice = MaintenanceNotice.objects.get()
    assert (notice.window_id, notice.tenant_id, notice.kind, notice.revision) == (window.id, demo.id, "announcement", 1)
    assert notice.recipients == ["admin@demo.test"]


def test_a_window_for_all_tenants_tells_each_tenant_in_its_own_language(
    demo, acme, mailoutbox, django_capture_on_commit_callbacks, clock
) -> None:
    clock(OCTOBER_SAT_NOON - timedelta(days=3))
    acme.language = "fr"
    acme.save(update_fields=["language"])
    with schema_context(demo.schema_name):
        User.objects.create_user("second-admin@demo.test", None, role=User.Role.ADMINISTRATOR)
        User.objects.create_user("gone-admin@demo.test", None, role=User.Role.ADMINISTRATOR, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        MaintenanceWindowFactory(start=OCTOBER_SAT_NOON, now=None)
    by_recipients = {tuple(m.to): m for m in mailoutbox}
    assert sorted(by_recipients) == [("admin@acme.test",), ("admin@demo.test", "second-admin@demo.test")]
    french = by_recipients[("admin@acme.test",)]
    assert french.subject == "Maintenance programmée le samedi 30 octobre 2027 — ACME Corporate Academy"
    assert "du samedi 30 octobre 2027 à 12:00 CEST" in french.body
    assert "Mise à jour de la base de données." in french.body
    assert 'lang="fr"' in french.alternatives[0][0]
    assert by_recipients[("admin@demo.test", "second-admin@demo.test")].subject.startswith("Scheduled maintenance")


def test_notices_are_sent_once_however_often_the_run_is_repeated(demo, acme, mailoutbox) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo, acme])  # on_commit not run: nothing sent yet
    now = MARCH_SAT_NOON - timedelta(days=3)
    assert mailoutbox == []
    assert len(maintenance_notices_send_due(now=now)) == 2
    assert maintenance_notices_send_due(now=now) == []
    assert maintenance_notices_send_due(now=now + timedelta(hours=1)) == []
    assert _to(mailoutbox) == [["admin@acme.test"], ["admin@demo.test"]]
    assert MaintenanceNotice.objects.filter(window=window).count() == 2


def test_the_database_refuses_a_second_notice_of_the_same_kind(demo) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(days=3))
    with pytest.raises(IntegrityError), transaction.atomic():
        MaintenanceNotice.objects.create(window=window, tenant=demo, kind="announcement", revision=1,
                                         language="en", sent_at=MARCH_SAT_NOON)


def test_reminder_goes_out_once_24_hours_before_the_start(demo, mailoutbox) -> None:
    window = MaintenanceWindowFactory(start=OCTOBER_SAT_NOON, tenants=[demo])
    maintenance_notices_send_due(now=OCTOBER_SAT_NOON - timedelta(days=3))
    mailoutbox.clear()
    assert maintenance_notices_send_due(now=OCTOBER_SAT_NOON - timedelta(hours=24, minutes=1)) == []
    sent = maintenance_notices_send_due(now=OCTOBER_SAT_NOON - timedelta(hours=24))
    assert [(n.kind, n.tenant_slug) for n in sent] == [("reminder", "demo")]
    assert maintenance_notices_send_due(now=OCTOBER_SAT_NOON - timedelta(hours=2)) == []
    assert _to(mailoutbox) == [["admin@demo.test"]]
    assert mailoutbox[0].subject == (
        "Reminder: maintenance tomorrow, Saturday 30 October 2027, 12:00 CEST — Demo University")
    window.refresh_from_db()
    assert window.reminder_sent_at == OCTOBER_SAT_NOON - timedelta(hours=24)


def test_no_reminder_for_a_window_announced_less_than_24_hours_ahead(demo, operator, mailoutbox) -> None:
    start = MARCH_SAT_NOON
    MaintenanceWindowFactory(start=start, tenants=[demo], now=start - timedelta(hours=3), emergency=True,
                    justification="Replication broken, data at risk.", actor=operator)
    sent = maintenance_notices_send_due(now=start - timedelta(hours=2))
    assert [n.kind for n in sent] == ["announcement"]
    assert maintenance_notices_send_due(now=start - timedelta(hours=1)) == []


def test_a_moved_window_is_announced_again_and_reminded_again(demo, operator, mailoutbox) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(days=3))
    later = paris(2027, 4, 3, 12)  # a week later, in summer time
    maintenance_window_move(window=window, start=later, end=later + timedelta(hours=6), actor=operator,
                            now=MARCH_SAT_NOON - timedelta(days=2))
    sent = maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(days=2))
    assert [(n.kind, n.revision) for n in sent] == [("announcement", 2)]
    assert "from Saturday 3 April 2027, 12:00 CEST" in mailoutbox[-1].body
    assert [n.kind for n in maintenance_notices_send_due(now=later - timedelta(hours=20))] == ["reminder"]
    assert maintenance_notices_send_due(now=later - timedelta(hours=19)) == []


def test_cancellation_is_sent_to_tenants_already_told(demo, acme, operator, mailoutbox) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(days=3))
    maintenance_window_cancel(window=window, actor=operator, now=MARCH_SAT_NOON - timedelta(days=2))
    mailoutbox.clear()
    sent = maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(days=2))
    assert [(n.kind, n.tenant_slug) for n in sent] == [("cancellation", "demo")]
    assert mailoutbox[0].subject.startswith("Maintenance cancelled: Saturday 27 March 2027")
    assert maintenance_notices_send_due(now=MARCH_SAT_NOON - timedelta(hours=23)) == []  # no reminder


def test_ended_windows_are_marked_completed_by_the_run(demo) -> None:
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    maintenance_notices_send_due(now=MARCH_SAT_NOON + timedelta(hours=6))
    window.refresh_from_db()
    assert window.status == MaintenanceWindow.Status.COMPLETED


def test_run_maintenance_notices_dry_run_sends_nothing_then_the_real_run_sends(demo, mailoutbox, capsys) -> None:
    import time_machine

    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    with time_machine.travel(MARCH_SAT_NOON - timedelta(days=3), tick=False):
        call_command("run_maintenance_notices", "--dry-run")
        out = capsys.readouterr().out
        assert "would send announcement of window" in out and "to demo [en]: admin@demo.test" in out
        assert mailoutbox == [] and not MaintenanceNotice.objects.exists()
        call_command("run_maintenance_notices")
        assert "1 notice(s) sent." in capsys.readouterr().out
        call_command("run_maintenance_notices")
        assert "0 notice(s) sent." in capsys.readouterr().out
    assert _to(mailoutbox) == [["admin@demo.test"]]


def test_beat_schedule_runs_the_notices_task(settings) -> None:
    from maintenance.tasks import maintenance_notices_run

    entry = settings.CELERY_BEAT_SCHEDULE["maintenance-notices"]
    assert entry["task"] == maintenance_notices_run.name == "maintenance.notices_run"


def test_a_failing_send_is_retried_on_the_next_run_without_holding_back_the_others(demo, acme, mailoutbox,
                                                                                   monkeypatch) -> None:
    from maintenance import services

    real = services.email_send

    def smtp_down_for_acme(*, to, **kwargs):
        if "admin@acme.test" in to:
            raise ConnectionRefusedError("SMTP down")
        return real(to=to, **kwargs)

    MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    now = MARCH_SAT_NOON - timedelta(days=3)
    monkeypatch.setattr(services, "email_send", smtp_down_for_acme)
    assert [n.tenant_slug for n in maintenance_notices_send_due(now=now)] == ["demo"]
    assert not MaintenanceNotice.objects.filter(tenant=acme).exists()
    monkeypatch.setattr(services, "email_send", real)
    assert [n.tenant_slug for n in maintenance_notices_send_due(now=now + timedelta(minutes=5))] == ["acme"]
    assert _to(mailoutbox) == [["admin@acme.test"], ["admin@demo.test"]]
