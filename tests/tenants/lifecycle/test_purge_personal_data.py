"""SPEC R29 (GCS art. 5, terms of use §6): after a tenant's purge, `public` keeps no personal data of its users
beyond invoices. Audit events, maintenance notice recipients, export records and claims are anonymised in the
purge's own transaction; the facts (what, when, how many) stay. Checked by reading every table of `public`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django_tenants.utils import schema_context

from claims import services as claims_services
from maintenance.models import MaintenanceNotice, MaintenanceWindow
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from tenants.models import AuditEvent, Tenant, TenantExport
from tenants.services import tenant_purge, tenant_terminate
from tenants.services.privacy import tenant_personal_data_anonymise

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
ADDRESS = "203.0.113.77"


def _public_rows_containing(text: str) -> dict[str, int]:
    """Per table of `public`, the rows whose JSON form contains `text` (case-insensitive)."""
    found = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                       "AND table_type = 'BASE TABLE'")
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM public."{table}" AS t WHERE row_to_json(t)::text ILIKE %s',
                           [f"%{text}%"])
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found


def test_after_the_purge_public_holds_nothing_personal_of_the_tenants_users(make_tenant) -> None:
    tenant = make_tenant()
    admin_email, learner_email = f"admin@{tenant.slug}.test", f"learner@{tenant.slug}.test"
    operator = User.objects.get(email="operator@demo.test")
    with time_machine.travel(NOW, tick=False):
        with schema_context(tenant.schema_name):
            admin = User.objects.get(email=admin_email)
            audit_record(action="user.role_changed", actor=admin, schema_name=tenant.schema_name,
                         after={"email": learner_email, "full_name": "Léa Learner", "role": "instructor"},
                         ip_address=ADDRESS)
            # Filed on the tenant's host, as the page and the API do.
            claims_services.claim_file(tenant=tenant, actor=admin, category="other",
                                       event_at=NOW - timedelta(hours=1), subject="Slow videos", body="Since Monday.")
        audit_record(action="user.invitation_resent", actor=operator, tenant=tenant, after={"email": admin_email})
        window = MaintenanceWindow.objects.create(start=NOW + timedelta(days=5), end=NOW + timedelta(days=5, hours=2),
                                                  reason="Upgrade", message_fr="Mise à jour", message_en="Upgrade")
        MaintenanceNotice.objects.create(window=window, tenant=tenant, kind="announcement", revision=1,
                                         recipients=[admin_email], language="en", sent_at=NOW)
        TenantExport.objects.create(tenant=tenant, requested_by_email=admin_email)
        tenant_terminate(tenant=tenant, reason="offence")
    tenant.refresh_from_db()
    events_before = AuditEvent.objects.filter(tenant=tenant).count()
    assert set(_public_rows_containing(admin_email)) >= {"tenants_auditevent", "maintenance_maintenancenotice",
                                                         "tenants_tenantexport", "claims_claim"}
    assert _public_rows_containing(learner_email) and _public_rows_containing(ADDRESS)

    with time_machine.travel(tenant.retention_ends_at + timedelta(hours=1), tick=False):
        tenant_purge(tenant=tenant)
    # Run again (as a resumed purge would): nothing is left to change.
    assert set(tenant_personal_data_anonymise(tenant=tenant).values()) == {0}

    assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.PURGED
    for personal in (admin_email, learner_email, "Léa Learner", ADDRESS):
        assert _public_rows_containing(personal) == {}, personal
    # The facts stay: every event, who among the operators acted, what changed; the claim and its times.
    assert AuditEvent.objects.filter(tenant=tenant).count() == events_before + 2  # purge started, purged
    role_change = AuditEvent.objects.get(tenant=tenant, action="user.role_changed")
    assert (role_change.actor_email, role_change.ip_address, role_change.after) == ("", None, {"role": "instructor"})
    resent = AuditEvent.objects.get(tenant=tenant, action="user.invitation_resent")
    assert (resent.actor_email, resent.after) == ("operator@demo.test", {})
    assert tenant.claims.get().subject == "Slow videos"
    purged = AuditEvent.objects.get(tenant=tenant, action="tenant.purged")
    assert purged.after["anonymised"]["maintenance_notices_anonymise_tenant"] == 1
    assert purged.after["anonymised"]["claims_anonymise_tenant"] == 1
