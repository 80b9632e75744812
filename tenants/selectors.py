"""Reads on tenants. Queries that cross tenants live here and say so in their name (STYLE 5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from mooc_platform.accounts.selectors import administrators_active
from mooc_platform.business_time import business_days_later
from mooc_platform.storage import storage_level

from .models import AuditEvent, CustomDomain, DestructionRecord, SupportAccessGrant, Tenant, TenantExport

# Tables left out of exports and support reads: secrets and Django's bookkeeping, not customer data.
EXCLUDED_TABLES = frozenset({"django_session", "authtoken_token", "accounts_accesstoken", "django_migrations"})
# `secret`: a webhook endpoint's signing key, the LRS's secret (issue 17): never shown back, not even to the
# customer's own export or an operator's support read.
EXCLUDED_COLUMNS = frozenset({"password", "secret"})

# The data of a leaving customer is kept RETENTION_DAYS after access ends, then destroyed; its
# administrators are reminded REMINDER_DAYS before (SPEC R12, R14 — GCS art. 3). Read by the timeline here
# and by the lifecycle services.
RETENTION_DAYS = 180
REMINDER_DAYS = (30, 7)


def tenant_administrator_emails(*, tenant: Tenant) -> list[str]:
    """E-mail addresses of the tenant's active administrators (read in its schema)."""
    with schema_context(tenant.schema_name):
        return list(administrators_active().values_list("email", flat=True))


def tenant_cancelled_access_end(*, tenant: Tenant, now: datetime) -> datetime | None:
    """When access ends for a cancelled tenant that still has access (SPEC R12: until the paid-through
    date); None in any other case (active, locked out, access already ended)."""
    if tenant.state != Tenant.State.CANCELLED or tenant.suspended_at is not None or tenant.access_ends_at is None:
        return None
    return tenant.access_ends_at if tenant.access_ends_at > now else None


def tenants_due_for_retention(*, now: datetime) -> QuerySet[Tenant]:
    """Across tenants: cancelled tenants whose paid-through date has passed (SPEC R12)."""
    return Tenant.objects.filter(state=Tenant.State.CANCELLED, access_ends_at__lte=now).order_by("access_ends_at", "id")


def tenants_due_for_purge(*, now: datetime) -> QuerySet[Tenant]:
    """Across tenants: in retention with the retention date past, or with a purge left unfinished."""
    unfinished = DestructionRecord.objects.filter(completed_at__isnull=True).values("tenant_id")
    return Tenant.objects.filter(
        Q(state=Tenant.State.RETENTION, retention_ends_at__lte=now)
        | Q(state=Tenant.State.RETENTION, id__in=unfinished)
    ).order_by("retention_ends_at", "id")


def tenants_due_for_reminder(*, now: datetime) -> list[tuple[Tenant, int]]:
    """Across tenants: (tenant, days) for every destruction reminder due now, 7-day ones first."""
    in7, in30 = business_days_later(now, 7), business_days_later(now, 30)
    base = Tenant.objects.filter(state=Tenant.State.RETENTION, retention_ends_at__gt=now)
    due7 = list(base.filter(retention_ends_at__lte=in7, reminder_7_sent_at__isnull=True))
    due30 = list(base.filter(retention_ends_at__lte=in30, retention_ends_at__gt=in7, reminder_30_sent_at__isnull=True))
    return [(t, 7) for t in due7] + [(t, 30) for t in due30]


def tenant_schema_tables(*, schema_name: str) -> dict[str, int]:
    """Every table of a schema with its exact row count, read generically (information_schema)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                       "AND table_type = 'BASE TABLE' ORDER BY table_name", [schema_name])
        tables = [row[0] for row in cursor.fetchall()]
        if not tables:
            return {}
        cursor.execute(" UNION ALL ".join(
            f"SELECT %s, count(*) FROM \"{schema_name}\".\"{table}\"" for table in tables), tables)  # noqa: S608 - identifiers come from the catalogue
        return {name: count for name, count in cursor.fetchall()}


def schema_table_columns(*, schema_name: str, table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                       "ORDER BY ordinal_position", [schema_name, table])
        return [row[0] for row in cursor.fetchall() if row[0] not in EXCLUDED_COLUMNS]


def schema_table_text_columns(*, schema_name: str, table: str) -> set[str]:
    """The text-typed columns of a tenant table (those a CSV export neutralises)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                       "AND data_type IN ('text', 'character varying', 'character')", [schema_name, table])
        return {row[0] for row in cursor.fetchall()}


def schema_table_rows(*, schema_name: str, table: str) -> list[dict[str, Any]]:
    """The rows of one table of a tenant schema as JSON-ready dicts (secrets left out); [] if absent."""
    columns = schema_table_columns(schema_name=schema_name, table=table)
    if not columns:
        return []
    select = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT coalesce(json_agg(row_to_json(x)), \'[]\'::json) FROM '  # noqa: S608 - identifiers come from the catalogue
                       f'(SELECT {select} FROM "{schema_name}"."{table}" ORDER BY 1) x')
        value = cursor.fetchone()[0]
    return value if isinstance(value, list) else []


def audit_events_for_tenant(*, tenant: Tenant) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(tenant=tenant)


def audit_events_all(*, tenant_id: int | None = None, action: str | None = None) -> QuerySet[AuditEvent]:
    """Across tenants (operators): every audit event, optionally filtered."""
    events = AuditEvent.objects.select_related("tenant")
    if tenant_id is not None:
        events = events.filter(tenant_id=tenant_id)
    if action:
        events = events.filter(action__startswith=action)
    return events


def tenant_storage_status(*, tenant: Tenant) -> dict[str, Any]:
    """Usage against quota (SPEC R20): level is "ok", "warning" (≥ 80 %) or "full" (≥ 100 %)."""
    quota, used = tenant.storage_quota_bytes, tenant.storage_used_bytes
    ratio = used / quota if quota else 1.0
    return {"used_bytes": used, "quota_bytes": quota, "ratio": round(ratio, 4),
            "level": storage_level(used=used, quota=quota)}


def tenant_timeline(*, tenant: Tenant, now: datetime) -> list[dict[str, Any]]:
    """What happens to the tenant's data and when, for its administrators (SPEC R12–R14)."""
    steps: list[dict[str, Any]] = [{"key": "created", "at": tenant.created_at, "label": _("Organisation created")}]
    if tenant.suspended_at:
        steps.append({"key": "suspended", "at": tenant.suspended_at,
                      "label": _("Access suspended until the sums due are paid")})
    if tenant.access_ends_at:
        steps.append({"key": "access_ends", "at": tenant.access_ends_at,
                      "label": _("Access ends (end of the period already paid); the data is kept 180 days")})
    if tenant.retention_ends_at:
        for days in REMINDER_DAYS:
            steps.append({"key": f"reminder_{days}", "at": business_days_later(tenant.retention_ends_at, -days),
                          "label": _("Reminder e-mail: destruction in %(days)s days") % {"days": days}})
        steps.append({"key": "destruction", "at": tenant.retention_ends_at,
                      "label": _("All data destroyed (database, media files); invoices are kept")})
    for step in steps:
        step["done"] = step["at"] <= now
    return sorted(steps, key=lambda s: s["at"])


# --- By value, for the tenant apps and mooc_platform (they never import tenants, SPEC §2): reached by the
# dotted paths of settings.TENANT_ROW_READER and TENANT_HOST_READER.
def tenant_row_by_schema(*, schema_name: str, fields: tuple[str, ...], for_update: bool = False) -> dict[str, Any]:
    """`fields` of the tenant whose schema is `schema_name`, read fresh (the request's tenant may come
    from the routing cache); `for_update` locks the row until the end of the caller's transaction."""
    rows = Tenant.objects.filter(schema_name=schema_name)
    if for_update:
        rows = rows.select_for_update()
    return rows.values(*fields).get()


def tenant_timeline_by_schema(*, schema_name: str, now: datetime) -> dict[str, Any]:
    """The lifecycle state and timeline of the tenant whose schema is `schema_name` (`tenant_timeline`), by value
    for the administrators' dashboard (settings.TENANT_TIMELINE_READER). One query."""
    tenant = Tenant.objects.get(schema_name=schema_name)
    return {"state": tenant.state, "state_label": tenant.get_state_display(),
            "steps": tenant_timeline(tenant=tenant, now=now)}


def tenant_schemas_live() -> list[str]:
    """The schemas of the tenants whose data still exists (not purged), for periodic work that runs in
    every tenant (reached by value through settings.TENANT_SCHEMAS_READER)."""
    return list(Tenant.objects.exclude(schema_name="public").exclude(state=Tenant.State.PURGED)
                .order_by("schema_name").values_list("schema_name", flat=True))


def tenant_primary_host_by_schema(*, schema_name: str) -> str:
    """The primary host name of the tenant whose schema is `schema_name` ("" when it has none)."""
    tenant = Tenant.objects.filter(schema_name=schema_name).first()
    domain = tenant.get_primary_domain() if tenant is not None else None
    return domain.domain if domain is not None else ""


def tenant_database_node(*, tenant: Tenant) -> Any:
    """The Citus worker holding the tenant's schema (`tenants.citus.Node`), or None on one PostgreSQL
    (or for a schema that is not distributed)."""
    from .citus import schema_nodes

    return schema_nodes(schema_names=[tenant.schema_name])[tenant.schema_name]


def database_workers() -> list[Any]:
    """The Citus workers a tenant can be moved to ([] on one PostgreSQL)."""
    from .citus import worker_nodes

    return worker_nodes()


# --- The customer administrators' pages (issue 13): support access, custom domains, audit log, exports ----------


def support_grants_with_accesses(*, tenant: Tenant) -> list[tuple[SupportAccessGrant, list[AuditEvent]]]:
    """The organisation's support-access grants, newest first, each with every operator read made under it
    (SPEC R19, GCS art. 5), oldest read first. Two queries whatever the number of grants."""
    grants = list(SupportAccessGrant.objects.filter(tenant=tenant))
    reads: dict[str, list[AuditEvent]] = {}
    events = AuditEvent.objects.filter(tenant=tenant, action="support.accessed", target_type="SupportAccessGrant",
                                       target_id__in=[str(g.pk) for g in grants]).order_by("created_at", "id")
    for event in events:
        reads.setdefault(event.target_id, []).append(event)
    return [(grant, reads.get(str(grant.pk), [])) for grant in grants]


def support_grant_of_tenant(*, tenant: Tenant, pk: int | None) -> SupportAccessGrant | None:
    """The grant `pk` if it is this organisation's; None otherwise (another's grant is not found)."""
    return SupportAccessGrant.objects.filter(tenant=tenant, pk=pk).first() if pk is not None else None


def custom_domains_of_tenant(*, tenant: Tenant) -> QuerySet[CustomDomain]:
    return CustomDomain.objects.filter(tenant=tenant)


def custom_domain_of_tenant(*, tenant: Tenant, pk: int | None) -> CustomDomain | None:
    return CustomDomain.objects.filter(tenant=tenant, pk=pk).first() if pk is not None else None


def audit_events_for_tenant_filtered(*, tenant: Tenant, actor: str = "", action: str = "",
                                     since: datetime | None = None, until: datetime | None = None
                                     ) -> QuerySet[AuditEvent]:
    """The organisation's audit events, newest first: `actor` a part of the actor's e-mail, `action` a prefix
    (`support.` for every support event), `since` inclusive and `until` exclusive."""
    events = audit_events_for_tenant(tenant=tenant)
    if actor:
        events = events.filter(actor_email__icontains=actor)
    if action:
        events = events.filter(action__startswith=action)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events


def audit_actions_of_tenant(*, tenant: Tenant) -> list[str]:
    """The distinct actions recorded for the organisation, for the audit log's filter."""
    return list(AuditEvent.objects.filter(tenant=tenant).order_by("action").values_list("action", flat=True)
                .distinct())


def tenant_exports(*, tenant: Tenant, limit: int = 20) -> QuerySet[TenantExport]:
    """The organisation's latest exports, newest first."""
    return TenantExport.objects.filter(tenant=tenant)[:limit]
