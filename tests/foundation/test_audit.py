"""mooc_platform.audit: the one writer of the audit log, tenant by value, usable from a tenant schema."""

from __future__ import annotations

from django_tenants.utils import schema_context

from mooc_platform.audit import audit_record, audit_record_many
from tenants.models import AuditEvent, Tenant


def test_audit_record_takes_the_tenant_by_value_from_a_tenant_schema(demo: Tenant) -> None:
    with schema_context(demo.schema_name):
        from mooc_platform.accounts.models import User

        admin = User.objects.get(email="admin@demo.test")
        event = audit_record(action="course.published", actor=admin, tenant=demo.pk, target=admin,
                             after={"state": "published"}, ip_address="203.0.113.7")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.tenant_id, stored.actor_email, stored.actor_schema) == (demo.pk, "admin@demo.test", demo.schema_name)
    assert (stored.target_type, stored.target_id, stored.after) == ("User", str(admin.pk), {"state": "published"})
    assert stored.ip_address == "203.0.113.7"


def test_audit_record_many_writes_one_event_per_target(demo: Tenant, acme: Tenant) -> None:
    audit_record_many(action="tenant.checked", targets=[demo, acme], tenants=[demo, acme.pk],
                      afters=[{"n": 1}, {"n": 2}])
    events = AuditEvent.objects.filter(action="tenant.checked").order_by("id")
    assert [(e.tenant_id, e.target_id, e.after, e.actor_email) for e in events] == [
        (demo.pk, str(demo.pk), {"n": 1}, ""), (acme.pk, str(acme.pk), {"n": 2}, "")]
