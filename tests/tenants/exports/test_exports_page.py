"""The exports page (issue 13): in the administrators' menu while the organisation is active, the progress of an
export shown and refreshed without a reload (the page polls /exports/status/), the download link once ready."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant, TenantExport
from tests.helpers import host_of


def _signed_in(tenant, email: str | None = None) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=email or f"admin@{tenant.slug}.test"))
    return client


@pytest.mark.django_db
def test_the_menu_links_the_export_page_while_active_and_the_status_json_says_the_progress(demo, acme) -> None:
    client = _signed_in(demo)
    home = client.get("/").content.decode()
    assert 'data-testid="nav-exports" href="/exports/"' in home or 'href="/exports/" data-testid="nav-exports"' in home
    assert 'data-testid="nav-exports"' not in _signed_in(demo, "learner1@demo.test").get("/").content.decode()
    assert client.get("/exports/status/").json() == {"in_progress": False, "exports": []}
    pending = TenantExport.objects.create(tenant=demo, requested_by_email="admin@demo.test")
    page = client.get("/exports/").content.decode()
    assert 'id="export-progress"' in page and "this page updates by itself" in page
    assert 'data-testid="export-progress" role="status" data-status-url="/exports/status/">' in page  # not hidden
    status = client.get("/exports/status/").json()
    assert status["in_progress"] is True
    assert [(e["id"], e["status"], e["status_label"], e["download_url"]) for e in status["exports"]] == [
        (pending.pk, "pending", "Pending", None)]
    TenantExport.objects.filter(pk=pending.pk).update(status="ready", s3_key="tenants/t_demo/exports/1.zip",
                                                      size_bytes=2048)
    ready = client.get("/exports/status/").json()
    assert ready["in_progress"] is False and ready["exports"][0]["status_label"] == "Ready"
    assert "1.zip" in ready["exports"][0]["download_url"]
    assert ready["exports"][0]["download_label"] == "Download (2.0\xa0KB)"
    assert _signed_in(acme).get("/exports/status/").json() == {"in_progress": False, "exports": []}
    assert _signed_in(demo, "learner1@demo.test").get("/exports/status/").status_code == 403
    Tenant.objects.filter(pk=demo.pk).update(state=Tenant.State.CANCELLED)
    assert 'data-testid="nav-exports"' not in _signed_in(demo).get("/billing/").content.decode()


def test_the_page_refreshes_the_progress_by_itself_and_offers_the_download(live_server_port: int, page) -> None:
    demo = Tenant.objects.get(slug="demo")
    export = TenantExport.objects.create(tenant=demo, requested_by_email="admin@demo.test",
                                         status=TenantExport.Status.RUNNING)
    base = f"http://demo.localhost:{live_server_port}"
    page.goto(base + "/login/")
    page.get_by_label("E-mail").fill("admin@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    page.get_by_test_id("nav-exports").click()
    assert page.get_by_test_id("export-progress").is_visible()
    assert page.locator(f'tr[data-export="{export.pk}"] [data-role="status"]').inner_text() == "Running"
    TenantExport.objects.filter(pk=export.pk).update(status=TenantExport.Status.READY, size_bytes=4096,
                                                     s3_key=f"tenants/{demo.schema_name}/exports/{export.pk}.zip")
    link = page.get_by_test_id("export-download")
    link.wait_for(timeout=15_000)  # no reload: the page polls every 3 s
    assert link.inner_text() == "Download (4.0\xa0KB)"
    assert page.locator(f'tr[data-export="{export.pk}"] [data-role="status"]').inner_text() == "Ready"
    assert page.get_by_test_id("export-progress").is_hidden()
