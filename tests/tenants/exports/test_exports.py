"""Full export (SPEC R14): a Celery task on a real worker zips every table (CSV + JSON) and every
media file, uploads it to S3; the administrator gets a short-lived link and an e-mail."""

from __future__ import annotations

import io
import json
import time
import urllib.request
import uuid
import zipfile

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.errors import ConflictError
from tenants.exports import export_build
from tenants.models import TenantExport
from tenants.services import tenant_export_request, tenant_terminate
from tests.helpers import api_client, api_token, host_of
from tests.tenants.helpers import put_media


def test_administrator_export_is_built_by_the_worker_with_tables_and_media(
        transactional_db, demo, celery_worker_session) -> None:
    name = f"lecture-{uuid.uuid4().hex[:8]}.txt"
    key = put_media(demo, name, b"lecture notes")
    admin = api_client(host_of(demo), api_token(host_of(demo), "admin@demo.test"))
    mail.outbox.clear()
    created = admin.post("/api/v1/exports/")
    assert (created.status_code, created.json()["status"]) == (202, "pending")
    deadline = time.monotonic() + 60
    while True:
        export = admin.get("/api/v1/exports/").json()["results"][0]
        if export["status"] in ("ready", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert export["status"] == "ready", export
    assert "X-Amz-Expires=900" in export["download_url"]
    with urllib.request.urlopen(export["download_url"]) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    names = set(archive.namelist())
    assert {"manifest.json", "data/accounts_user.csv", "data/accounts_user.json", "data/courses_course.csv",
            "data/courses_course.json", f"media/media/{name}"} <= names
    assert not any(n.startswith(("data/django_session", "data/authtoken_token", "data/accounts_accesstoken",
                                 "media/exports/")) for n in names)
    header, *rows = archive.read("data/accounts_user.csv").decode().splitlines()
    assert "password" not in header and header.startswith("id,")
    assert any("admin@demo.test" in row for row in rows)
    courses = json.loads(archive.read("data/courses_course.json"))
    with schema_context(demo.schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT title FROM courses_course ORDER BY id")
        titles_in_schema = [row[0] for row in cursor.fetchall()]
    assert [c["title"] for c in courses] == titles_in_schema
    assert "Introduction to Data Science" in titles_in_schema
    assert archive.read(f"media/media/{name}") == b"lecture notes"
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["slug"] == "demo" and manifest["tables"]["accounts_user"] == len(rows)
    assert mail.outbox[-1].to == ["admin@demo.test"]
    assert mail.outbox[-1].subject == "Demo University: your data export is ready"
    assert key.endswith(name)


def test_export_can_be_requested_in_retention_and_one_at_a_time(demo, django_capture_on_commit_callbacks) -> None:
    tenant_terminate(tenant=demo, reason="offence")
    admin = api_client(host_of(demo), api_token(host_of(demo), "admin@demo.test"))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = admin.post("/api/v1/exports/")
        second = admin.post("/api/v1/exports/")
    assert first.status_code == 202
    assert (second.status_code, second.json()["error"]["code"]) == (409, "export_in_progress")
    assert len(queued) == 1
    export = export_build(export_id=first.json()["id"])
    assert export.status == "ready" and export.size_bytes > 0
    assert export.s3_key.startswith("tenants/t_demo/exports/")


def test_export_is_refused_for_a_destroyed_tenant(demo) -> None:
    demo.state = "purged"
    demo.save(update_fields=["state"])
    before = TenantExport.objects.filter(tenant=demo).count()
    with pytest.raises(ConflictError) as error:
        tenant_export_request(tenant=demo, actor=User(email="x@y.z"))
    assert error.value.code == "export_unavailable"
    assert TenantExport.objects.filter(tenant=demo).count() == before


def test_export_is_refused_once_the_retention_period_is_over(demo) -> None:
    import time_machine

    tenant_terminate(tenant=demo, reason="offence")
    admin = User(email="admin@demo.test")
    with time_machine.travel(demo.retention_ends_at, tick=False), pytest.raises(ConflictError) as error:
        tenant_export_request(tenant=demo, actor=admin)
    assert error.value.code == "export_unavailable"
