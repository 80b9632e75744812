"""The daily sweep as the scheduler runs it, its cost when there is nothing to do, and the
destruction record operators download (SPEC R12, R15, §5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tenants.models import AuditEvent, Tenant
from tenants.services import lifecycle_run, tenant_cancel, tenant_terminate
from tenants.tasks import lifecycle_run_task
from tests.helpers import api_client, api_token, host_of
from tests.tenants.helpers import put_media

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def test_beat_runs_the_lifecycle_and_storage_tasks_daily() -> None:
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"tenants.lifecycle_run", "tenants.storage_usage_reconcile_all"} <= schedule


def test_sweep_with_nothing_to_do_costs_a_constant_number_of_queries(make_tenant,
                                                                     django_assert_max_num_queries) -> None:
    for _ in range(3):
        make_tenant()
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(5):
        report = lifecycle_run()
    assert report.lines()[1:] == ["nothing to do"]


def test_scheduled_task_and_command_run_the_same_sweep(make_tenant, capsys) -> None:
    tenant = make_tenant()
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        tenant_cancel(tenant=tenant, access_ends_at=NOW)
    with time_machine.travel(NOW, tick=False):
        lines = lifecycle_run_task(dry_run=True)
        assert Tenant.objects.get(pk=tenant.pk).state == "cancelled"
        call_command("run_lifecycle")
    assert lines[1] == (f"would start retention: {tenant.slug} (access ended 2026-06-01T10:00:00+00:00, "
                        "data kept until 2026-11-28T11:00:00+00:00)")
    assert capsys.readouterr().out.splitlines()[1] == lines[1].replace("would start", "start")
    assert Tenant.objects.get(pk=tenant.pk).state == "retention"


def test_operators_download_the_destruction_record_and_the_tenant_row_survives(make_tenant) -> None:
    tenant = make_tenant()
    put_media(tenant, "x.bin", b"12345")
    with time_machine.travel(NOW, tick=False):
        tenant_terminate(tenant=tenant, reason="offence")
    with time_machine.travel(tenant.retention_ends_at, tick=False):
        lifecycle_run()
        operator = api_client("localhost", api_token("localhost", "operator@demo.test"))
        response = operator.get(f"/api/v1/tenants/{tenant.pk}/destruction-record/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="destruction-{tenant.slug}.json"'
    record = response.json()
    assert {k: record[k] for k in ("slug", "schema_name", "access_ends_at", "retention_ends_at", "started_at",
                                   "completed_at", "objects_deleted", "bytes_deleted", "domains_deleted")} == {
        "slug": tenant.slug, "schema_name": tenant.schema_name, "access_ends_at": "2026-06-01T10:00:00+00:00",
        "retention_ends_at": "2026-11-28T11:00:00+00:00", "started_at": "2026-11-28T11:00:00+00:00",
        "completed_at": "2026-11-28T11:00:00+00:00", "objects_deleted": 1, "bytes_deleted": 5,
        "domains_deleted": [f"{tenant.slug}.localhost"]}
    assert record["tables"]["accounts_user"] == 2 and record["rows_dropped"] >= 2
    survivor = Tenant.objects.get(pk=tenant.pk)
    assert (survivor.state, survivor.slug) == ("purged", tenant.slug)
    assert list(AuditEvent.objects.filter(tenant=tenant).values_list("action", flat=True).order_by("id"))[-3:] == [
        "tenant.terminated", "tenant.purge_started", "tenant.purged"]
    assert Client(HTTP_HOST=f"{tenant.slug}.localhost").get("/").status_code == 404
    acme_admin = api_client(host_of(Tenant.objects.get(slug="acme")), api_token("acme.localhost", "admin@acme.test"))
    assert acme_admin.get(f"/api/v1/tenants/{tenant.pk}/destruction-record/").status_code == 404


def test_administrator_pages_timeline_and_export_request(demo, django_capture_on_commit_callbacks) -> None:
    # One clock for the whole story: the export is requested while the data is still kept, whatever today is.
    with time_machine.travel(NOW, tick=False):
        client = Client(HTTP_HOST=host_of(demo))
        client.post("/login/", {"username": "admin@demo.test", "password": "demo-password-2026"})
        tenant_terminate(tenant=demo, reason="offence")
        page = client.get("/timeline/").content.decode()
        assert 'data-key="destruction"' in page and "Nov. 28, 2026, noon" in page
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = client.post("/exports/")
        assert (response.status_code, response["Location"]) == (302, "/exports/")
        assert len(queued) == 1
        assert b"Pending" in client.get("/exports/").content
        learner = Client(HTTP_HOST=host_of(demo))
        learner.post("/login/", {"username": "learner1@demo.test", "password": "demo-password-2026"})
        assert learner.get("/exports/")["Location"] == "/account-status/"


def test_one_failing_purge_is_reported_and_the_sweep_goes_on(make_tenant, monkeypatch) -> None:
    from tenants import s3

    broken, fine = make_tenant(), make_tenant()
    with time_machine.travel(NOW, tick=False):
        tenant_terminate(tenant=broken, reason="offence")
        tenant_terminate(tenant=fine, reason="offence")
    real = s3.prefix_versions_delete

    def flaky(*, prefix: str, **kwargs):  # type: ignore[no-untyped-def]
        if broken.schema_name in prefix:
            raise ConnectionError("S3 unreachable")
        return real(prefix=prefix, **kwargs)

    monkeypatch.setattr(s3, "prefix_versions_delete", flaky)
    with time_machine.travel(broken.retention_ends_at, tick=False):
        report = lifecycle_run()
    assert report.errors == [(broken.slug, "ConnectionError: S3 unreachable")]
    assert Tenant.objects.get(pk=fine.pk).state == "purged"
    assert Tenant.objects.get(pk=broken.pk).state == "retention"
