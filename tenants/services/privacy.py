"""Personal data in `public` about a tenant's users (SPEC R29; GCS art. 5 "not keep without time limit";
terms of use §6). After a purge, `public` keeps no personal data of the tenant's users beyond what invoices must
carry: the audit events keep what happened and when, not who (their e-mail, address, the names and e-mails in
their before/after), the export records keep their dates and sizes, not who asked. The other apps' records
(maintenance notice recipients, claims) are anonymised by the functions `settings.TENANT_PURGE_ANONYMISERS`
names (tenants imports no other app, SPEC §2). Every step is idempotent: a resumed purge runs it again."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

from mooc_platform import storage
from mooc_platform.audit import PERSONAL_KEYS

from ..models import AuditEvent, Tenant, TenantExport


def audit_events_anonymise(*, tenant: Tenant) -> int:
    """The tenant's audit events lose who did them (when the actor was one of its users) and the personal keys
    of their before/after; returns the number of events changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {AuditEvent._meta.db_table}
                   SET actor_email = CASE WHEN actor_schema = %s THEN '' ELSE actor_email END,
                       ip_address = CASE WHEN actor_schema = %s THEN NULL ELSE ip_address END,
                       before = before - %s::text[], after = after - %s::text[]
                 WHERE tenant_id = %s
                   AND ((actor_schema = %s AND (actor_email <> '' OR ip_address IS NOT NULL))
                        OR before ?| %s::text[] OR after ?| %s::text[])""",  # noqa: S608 — the table name is ours
            [tenant.schema_name, tenant.schema_name, list(PERSONAL_KEYS), list(PERSONAL_KEYS), tenant.pk,
             tenant.schema_name, list(PERSONAL_KEYS), list(PERSONAL_KEYS)])
        return cursor.rowcount


def tenant_personal_data_anonymise(*, tenant: Tenant) -> dict[str, int]:
    """Everything `public` holds about the tenant's users, anonymised (inside the purge's transaction).
    Returns the counts per kind of record, for the destruction record."""
    counts = {"audit_events": audit_events_anonymise(tenant=tenant),
              "exports": TenantExport.objects.filter(tenant=tenant).exclude(requested_by_email="").update(
                  requested_by_email="")}
    for path in getattr(settings, "TENANT_PURGE_ANONYMISERS", ()):
        counts[path.rsplit(".", 1)[1]] = import_string(path)(tenant=tenant)
    return counts


def tenant_exports_user_erased(*, schema_name: str, user_id: int, email: str) -> int:
    """Right to erasure: the tenant's earlier exports contain the erased user, so their files are deleted (after
    the commit) and the records say why; who asked for them is forgotten if it was that user. Returns the number of
    export files deleted. Named in settings.USER_ERASURE_HOOKS."""
    exports = TenantExport.objects.filter(tenant__schema_name=schema_name)
    exports.filter(requested_by_email=email).update(requested_by_email="")
    keys = list(exports.exclude(s3_key="").values_list("s3_key", flat=True))
    exports.exclude(s3_key="").update(s3_key="", status=TenantExport.Status.FAILED,
                                      error="Deleted: it contained a user since erased (right to erasure).")

    def delete() -> None:
        for key in keys:
            storage.object_delete(key=key)

    transaction.on_commit(delete)
    return len(keys)
