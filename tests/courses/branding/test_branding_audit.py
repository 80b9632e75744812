"""Branding changes are recorded in the organisation's audit log (issue 13): who changed which field from what to
what, shown on /manage/audit-log; saving the form unchanged and a refused change record nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from courses.models import Branding
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent
from tests.helpers import host_of

pytestmark = pytest.mark.django_db


def _admin_client(tenant) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=f"admin@{tenant.slug}.test"))
    return client


def test_a_branding_change_is_in_the_audit_log_with_the_fields_changed(acme) -> None:
    form = {"name": "ACME Corporate Academy", "primary_color": "#1d4ed8", "accent_color": "#f59e0b",
            "default_language": "fr", "email_sender_name": ""}
    with schema_context(acme.schema_name):
        Branding.objects.update_or_create(pk=1, defaults={k: v for k, v in form.items() if k != "default_language"})
    client = _admin_client(acme)
    assert client.post("/manage/branding/", form).status_code == 302
    assert not AuditEvent.objects.filter(tenant=acme, action="branding.updated").exists()  # nothing changed

    saved = client.post("/manage/branding/", {**form, "primary_color": "#0F766E",
                                              "email_sender_name": "ACME Formation"})
    assert saved.status_code == 302
    event = AuditEvent.objects.get(tenant=acme, action="branding.updated")
    assert (event.actor_email, event.target_type) == ("admin@acme.test", "Branding")
    assert event.before == {"email_sender_name": "", "primary_color": "#1d4ed8"}
    assert event.after == {"email_sender_name": "ACME Formation", "primary_color": "#0f766e"}

    refused = client.post("/manage/branding/", {**form, "primary_color": "#ffff00"})  # white on yellow: unreadable
    assert refused.status_code == 400
    assert AuditEvent.objects.filter(tenant=acme, action="branding.updated").count() == 1

    log = client.get("/manage/audit-log/", {"action": "branding.updated"}).content.decode()
    assert "<code>branding.updated</code>" in log and "admin@acme.test" in log
    assert 'data-testid="no-events"' not in log
