"""Lifecycle with the clock moved (SPEC R11–R15): cancel → access until the paid-through date →
retention 180 days → destruction exactly at its end; resubscription, termination, illegal moves."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tenants.utils import schema_context, schema_exists

from mooc_platform import storage
from mooc_platform.accounts.models import User
from tenants import services
from tenants.models import AuditEvent, DestructionRecord, Domain, Tenant
from tenants.selectors import tenants_due_for_reminder
from tenants.services import (
    IllegalTransitionError,
    PurgeRefusedError,
    lifecycle_run,
    purge,
    tenant_cancel,
    tenant_purge,
    tenant_reinstate,
    tenant_resubscribe,
    tenant_suspend,
    tenant_terminate,
)
from tests.helpers import api_client, api_token
from tests.tenants.helpers import put_media, s3_keys

PAID_THROUGH = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # 1 April 2026 00:00, Paris
DESTRUCTION = datetime(2026, 9, 27, 22, 0, tzinfo=UTC)  # 28 September 2026 00:00, Paris (180 days later)
MINUTE = timedelta(minutes=1)


def _run(now: datetime, capture) -> services.LifecycleReport:  # type: ignore[no-untyped-def]
    with time_machine.travel(now, tick=False), capture(execute=True):
        return lifecycle_run()


# On Citus the tenant's rows live on a worker, where this test's own transaction would still hold the
# deferred foreign-key checks of the rows it wrote when the purge drops the schema ("pending trigger
# events": Citus does not pass SET CONSTRAINTS on to the workers). The purge itself runs in autocommit
# (the beat task), so on Citus the test commits as it goes, as production does.
@pytest.mark.django_db(transaction=bool(os.environ.get("MOOC_CITUS")))
def test_cancel_keeps_access_until_paid_through_date_then_180_days_then_destroys_exactly(
        make_tenant, django_capture_on_commit_callbacks) -> None:
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        tenant = make_tenant()
        keys = [put_media(tenant, "a.mp4", b"x" * 1000), put_media(tenant, "a.mp4", b"y" * 500),
                put_media(tenant, "b.pdf", b"z" * 24), put_media(tenant, "c.txt", b"")]
        storage.object_delete(key=keys[3])  # a delete marker on top of an empty version
        with capture(execute=True):
            tenant_cancel(tenant=tenant, access_ends_at=PAID_THROUGH)
    host = f"{tenant.slug}.localhost"
    assert tenant.state == "cancelled"
    assert tenant.retention_ends_at == DESTRUCTION
    assert mail.outbox[-1].to == [f"admin@{tenant.slug}.test"]

    # One minute before the paid-through date: nothing moves, learners still work.
    assert _run(PAID_THROUGH - MINUTE, capture).retention_started == []
    with time_machine.travel(PAID_THROUGH - MINUTE, tick=False):
        token = api_token(host, f"learner@{tenant.slug}.test")
        assert api_client(host, token).get("/api/v1/me/").status_code == 200

    # At the paid-through date: access ends, the data is kept 180 days.
    report = _run(PAID_THROUGH, capture)
    assert [slug for slug, _ in report.retention_started] == [tenant.slug]
    tenant.refresh_from_db()
    assert (tenant.state, tenant.retention_ends_at) == ("retention", DESTRUCTION)
    with time_machine.travel(PAID_THROUGH + MINUTE, tick=False):
        response = api_client(host, token).get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "tenant_access_ended"

    # Reminders 30 and 7 days before destruction, once each.
    sent = len(mail.outbox)
    assert _run(DESTRUCTION - timedelta(days=30), capture).reminders == [
        (tenant.slug, "30 days before destruction on 2026-09-27T22:00:00+00:00")]
    assert _run(DESTRUCTION - timedelta(days=30) + MINUTE, capture).reminders == []
    assert [r[1] for r in _run(DESTRUCTION - timedelta(days=7), capture).reminders] == [
        "7 days before destruction on 2026-09-27T22:00:00+00:00"]
    assert len(mail.outbox) == sent + 2
    assert "destroyed in 7 days" in mail.outbox[-1].subject

    # One minute before the end of retention: nothing is destroyed.
    assert _run(DESTRUCTION - MINUTE, capture).purged == []
    assert schema_exists(tenant.schema_name)
    assert len(s3_keys(tenant)) == 5

    # At the end of day 180: schema, every S3 object version and the domains are gone.
    report = _run(DESTRUCTION, capture)
    assert [slug for slug, _ in report.purged] == [tenant.slug]
    tenant.refresh_from_db()
    assert (tenant.state, tenant.purged_at) == ("purged", DESTRUCTION)
    assert not schema_exists(tenant.schema_name)
    assert s3_keys(tenant) == []
    assert not Domain.objects.filter(tenant=tenant).exists()
    record = DestructionRecord.objects.get(tenant=tenant)
    assert (record.objects_deleted, record.bytes_deleted) == (5, 1524)
    assert record.tables["accounts_user"] == 2
    assert record.domains_deleted == [f"{tenant.slug}.localhost"]
    assert keys[0].endswith("media/a.mp4")


def test_retention_end_is_180_paris_calendar_days_across_daylight_saving_time(make_tenant) -> None:
    tenant = make_tenant()
    with time_machine.travel(datetime(2026, 1, 10, tzinfo=UTC), tick=False):
        tenant_cancel(tenant=tenant, access_ends_at=datetime(2026, 1, 31, 23, 0, tzinfo=UTC))  # 1 Feb 00:00 Paris
    assert tenant.retention_ends_at == datetime(2026, 7, 30, 22, 0, tzinfo=UTC)  # 30 July 00:00 Paris (CEST)


def test_resubscribe_on_day_179_restores_everything_untouched(make_tenant, django_capture_on_commit_callbacks) -> None:
    tenant = make_tenant()
    put_media(tenant, "keep.txt", b"kept")
    with time_machine.travel(PAID_THROUGH - timedelta(days=3), tick=False):
        tenant_cancel(tenant=tenant, access_ends_at=PAID_THROUGH)
    _run(PAID_THROUGH, django_capture_on_commit_callbacks)
    day_179 = PAID_THROUGH + timedelta(days=179)
    with time_machine.travel(day_179, tick=False):
        tenant_resubscribe(tenant=tenant)
    tenant.refresh_from_db()
    assert (tenant.state, tenant.access_ends_at, tenant.retention_ends_at) == ("active", None, None)
    assert _run(DESTRUCTION + timedelta(days=1), django_capture_on_commit_callbacks).purged == []
    with schema_context(tenant.schema_name):
        assert sorted(User.objects.values_list("email", flat=True)) == [
            f"admin@{tenant.slug}.test", f"learner@{tenant.slug}.test"]
    assert len(s3_keys(tenant)) == 1
    host = f"{tenant.slug}.localhost"
    assert api_client(host, api_token(host, f"learner@{tenant.slug}.test")).get("/api/v1/me/").status_code == 200


def test_resubscribe_is_refused_once_the_retention_period_is_over(make_tenant) -> None:
    tenant = make_tenant()
    with time_machine.travel(PAID_THROUGH, tick=False):
        tenant_terminate(tenant=tenant, reason="non_payment")
    with time_machine.travel(tenant.retention_ends_at, tick=False), pytest.raises(IllegalTransitionError):
        tenant_resubscribe(tenant=tenant)


def test_terminate_ends_access_at_once_and_starts_retention(make_tenant) -> None:
    tenant = make_tenant()
    host = f"{tenant.slug}.localhost"
    token = api_token(host, f"learner@{tenant.slug}.test")
    now = datetime(2026, 5, 5, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        tenant_terminate(tenant=tenant, reason="offence")
        response = api_client(host, token).get("/api/v1/me/")
    assert (tenant.state, tenant.access_ends_at) == ("retention", now)
    assert tenant.retention_ends_at == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 14:00 Paris, after DST ends
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "tenant_access_ended"
    event = AuditEvent.objects.filter(tenant=tenant, action="tenant.terminated").get()
    assert event.before["state"] == "active" and event.after["state"] == "retention"


@pytest.mark.parametrize(("setup", "move"), [
    ("active", lambda t: tenant_reinstate(tenant=t)),
    ("active", lambda t: tenant_resubscribe(tenant=t)),
    ("suspended", lambda t: tenant_suspend(tenant=t, reason="again")),
    ("retention", lambda t: tenant_suspend(tenant=t, reason="late")),
    ("retention", lambda t: tenant_cancel(tenant=t, access_ends_at=PAID_THROUGH)),
    ("retention", lambda t: tenant_reinstate(tenant=t)),
])
def test_illegal_transitions_are_refused_and_change_nothing(make_tenant, setup, move) -> None:
    tenant = make_tenant()
    if setup == "suspended":
        tenant_suspend(tenant=tenant, reason="unpaid")
    elif setup == "retention":
        tenant_terminate(tenant=tenant, reason="offence")
    events = AuditEvent.objects.count()
    with pytest.raises(IllegalTransitionError) as error:
        move(tenant)
    assert error.value.status_code == 409
    assert error.value.details["from"] == setup
    assert Tenant.objects.get(pk=tenant.pk).state == setup
    assert AuditEvent.objects.count() == events


def test_purge_is_refused_before_the_retention_date(make_tenant) -> None:
    tenant = make_tenant()
    with time_machine.travel(PAID_THROUGH, tick=False):
        tenant_terminate(tenant=tenant, reason="offence")
    with time_machine.travel(tenant.retention_ends_at - MINUTE, tick=False), pytest.raises(PurgeRefusedError):
        tenant_purge(tenant=tenant)
    assert schema_exists(tenant.schema_name)
    with pytest.raises(PurgeRefusedError):
        tenant_purge(tenant=make_tenant())


def test_purge_interrupted_after_s3_deletion_is_finished_by_the_next_run(
        make_tenant, monkeypatch, django_capture_on_commit_callbacks) -> None:
    tenant = make_tenant()
    for n in range(5):
        put_media(tenant, f"f{n}.bin", b"1234")
    with time_machine.travel(PAID_THROUGH, tick=False):
        tenant_terminate(tenant=tenant, reason="data_volume")
    after = tenant.retention_ends_at + timedelta(hours=1)
    original = purge._purge_database

    def crash(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("worker killed")

    monkeypatch.setattr(purge, "_purge_database", crash)
    with time_machine.travel(after, tick=False), pytest.raises(RuntimeError):
        tenant_purge(tenant=tenant, batch_size=2)
    record = DestructionRecord.objects.get(tenant=tenant)
    assert (record.objects_deleted, record.bytes_deleted, record.completed_at) == (5, 20, None)
    assert record.s3_completed_at is not None
    assert s3_keys(tenant) == []
    assert schema_exists(tenant.schema_name)
    assert Tenant.objects.get(pk=tenant.pk).state == "retention"

    monkeypatch.setattr(purge, "_purge_database", original)
    report = _run(after + timedelta(days=1), django_capture_on_commit_callbacks)
    assert [slug for slug, _ in report.purged] == [tenant.slug]
    record.refresh_from_db()
    assert (record.objects_deleted, record.bytes_deleted) == (5, 20)
    assert record.completed_at is not None
    assert not schema_exists(tenant.schema_name)
    assert Tenant.objects.get(pk=tenant.pk).state == "purged"


def test_dry_run_prints_every_change_and_changes_nothing(make_tenant, capsys) -> None:
    ending, expiring = make_tenant(), make_tenant()
    with time_machine.travel(PAID_THROUGH - timedelta(days=200), tick=False):
        tenant_cancel(tenant=ending, access_ends_at=PAID_THROUGH)
        tenant_terminate(tenant=expiring, reason="offence")
    mail.outbox.clear()
    events = AuditEvent.objects.count()
    with time_machine.travel(PAID_THROUGH + timedelta(hours=1), tick=False):
        call_command("run_lifecycle", "--dry-run")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "run_lifecycle at 2026-03-31T23:00:00+00:00 (dry run: nothing changed)"
    assert (f"would start retention: {ending.slug} (access ended 2026-03-31T22:00:00+00:00, data kept until "
            "2026-09-27T22:00:00+00:00)") in out
    destroy = [line for line in out if line.startswith("would DESTROY: ")]
    assert destroy == [f"would DESTROY: {expiring.slug} (schema {expiring.schema_name}: "
                       f"{_tables_and_rows(expiring)}; S3 prefix tenants/{expiring.schema_name}/; "
                       f"retention ended {expiring.retention_ends_at.isoformat()})"]
    assert Tenant.objects.get(pk=ending.pk).state == "cancelled"
    assert Tenant.objects.get(pk=expiring.pk).state == "retention"
    assert schema_exists(expiring.schema_name)
    assert AuditEvent.objects.count() == events
    assert mail.outbox == []
    assert not DestructionRecord.objects.exists()


def _tables_and_rows(tenant: Tenant) -> str:
    from tenants.selectors import tenant_schema_tables

    tables = tenant_schema_tables(schema_name=tenant.schema_name)
    return f"{len(tables)} tables, {sum(tables.values())} rows"


def test_suspension_and_reinstatement_email_the_administrators(make_tenant, django_capture_on_commit_callbacks
                                                              ) -> None:
    tenant = make_tenant()
    with django_capture_on_commit_callbacks(execute=True):
        tenant_suspend(tenant=tenant, reason="Invoice F2026-000001 unpaid")
    assert mail.outbox[-1].to == [f"admin@{tenant.slug}.test"]
    assert mail.outbox[-1].subject == f"Org {tenant.slug}: access suspended"
    assert "Invoice F2026-000001 unpaid" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        tenant_reinstate(tenant=tenant)
    assert mail.outbox[-1].subject == f"Org {tenant.slug}: access restored"
    assert list(AuditEvent.objects.filter(tenant=tenant).values_list("action", flat=True).order_by("id")) == [
        "tenant.provisioned", "tenant.suspended", "tenant.reinstated"]


def test_purge_interrupted_between_s3_batches_resumes_without_counting_twice(make_tenant, monkeypatch) -> None:
    from tenants import s3

    tenant = make_tenant()
    for n in range(5):
        put_media(tenant, f"g{n}.bin", b"123")
    with time_machine.travel(PAID_THROUGH, tick=False):
        tenant_terminate(tenant=tenant, reason="offence")
    real = s3.prefix_versions_delete

    def killed_after_first_batch(*, prefix, batch_size, on_batch):  # type: ignore[no-untyped-def]
        def once(count: int, size: int) -> None:
            on_batch(count, size)
            raise RuntimeError("worker killed")

        return real(prefix=prefix, batch_size=2, on_batch=once)

    monkeypatch.setattr(s3, "prefix_versions_delete", killed_after_first_batch)
    with time_machine.travel(tenant.retention_ends_at, tick=False), pytest.raises(RuntimeError):
        tenant_purge(tenant=tenant)
    record = DestructionRecord.objects.get(tenant=tenant)
    assert (record.objects_deleted, record.bytes_deleted, record.s3_completed_at) == (2, 6, None)
    assert len(s3_keys(tenant)) == 3
    monkeypatch.setattr(s3, "prefix_versions_delete", real)
    with time_machine.travel(tenant.retention_ends_at + timedelta(days=1), tick=False):
        tenant_purge(tenant=tenant)
    record.refresh_from_db()
    assert (record.objects_deleted, record.bytes_deleted) == (5, 15)
    assert s3_keys(tenant) == [] and not schema_exists(tenant.schema_name)


def test_seven_day_reminder_counts_paris_calendar_days_across_the_october_dst_change(make_tenant) -> None:
    tenant = make_tenant()
    with time_machine.travel(datetime(2026, 4, 28, 10, 0, tzinfo=UTC), tick=False):  # 12:00 in Paris
        tenant_terminate(tenant=tenant, reason="offence")
    assert tenant.retention_ends_at == datetime(2026, 10, 25, 11, 0, tzinfo=UTC)  # 12:00 in Paris (CET)
    seven_days_before = datetime(2026, 10, 18, 10, 0, tzinfo=UTC)  # 12:00 in Paris (CEST)
    with time_machine.travel(seven_days_before - MINUTE, tick=False):
        assert [days for t, days in tenants_due_for_reminder(now=seven_days_before - MINUTE) if t == tenant] == [30]
    assert [days for t, days in tenants_due_for_reminder(now=seven_days_before) if t == tenant] == [7]


def test_a_french_customer_gets_its_lifecycle_e_mails_in_french(make_tenant,
                                                                django_capture_on_commit_callbacks) -> None:
    tenant = make_tenant()
    Tenant.objects.filter(pk=tenant.pk).update(language="fr")
    tenant.refresh_from_db()
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        tenant_cancel(tenant=tenant, access_ends_at=PAID_THROUGH)
    message = mail.outbox[-1]
    assert message.subject == f"Org {tenant.slug} : abonnement résilié"
    assert "L'accès continue jusqu'au 1 avril 2026 00:00" in message.body
    assert "Date de destruction : 28 septembre 2026 00:00 (heure de Paris)." in message.body
