"""The platform's audit log: one append-only event per state change (SPEC §2), for every app.

The one writer of `tenants.AuditEvent`. The tenant is taken by value (an id, or any object whose
`pk` is that id, or its schema name), so a tenant app (courses) audits without importing `tenants`:
the event lives in `public`, which is on every schema's `search_path`. The model is looked up through the app
registry, so `mooc_platform` imports no app here (SPEC §2).

Operator actions are audited with the operator and the client address (issue 12): the console sets the
address for the duration of a request (`audit_client_address`) and every event written meanwhile
records it unless the caller gives one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Subquery

_client_address: ContextVar[str | None] = ContextVar("audit_client_address", default=None)


@contextmanager
def audit_client_address(address: str | None) -> Iterator[None]:
    """Every audit event written inside the block records `address` (unless the caller gives one)."""
    token = _client_address.set(address or None)
    try:
        yield
    finally:
        _client_address.reset(token)


def audit_client_address_current() -> str | None:
    return _client_address.get()


def jsonable(value: Any) -> Any:
    """A date or datetime as its ISO string (audit `before`/`after` and error details are JSON)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _tenant_id(tenant: Any, schema_name: str | None = None) -> Any:
    if schema_name is not None:  # resolved by the INSERT itself: no query, no import of tenants
        audit_event = apps.get_model("tenants", "AuditEvent")
        tenants = audit_event._meta.get_field("tenant").related_model._default_manager
        return Subquery(tenants.filter(schema_name=schema_name).values("pk")[:1])
    if tenant is None or isinstance(tenant, int):
        return tenant
    return tenant.pk


def _event(*, action: str, actor: Any, tenant: Any, target: Any, before: dict[str, Any] | None,
           after: dict[str, Any] | None, ip_address: str | None, schema_name: str | None = None) -> Any:
    audit_event = apps.get_model("tenants", "AuditEvent")
    return audit_event(
        action=action,
        actor_email=getattr(actor, "email", "") or "",
        actor_schema=connection.schema_name if actor is not None else "",
        tenant_id=_tenant_id(tenant, schema_name),
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        before=before or {},
        after=after or {},
        ip_address=ip_address or _client_address.get(),
    )


def audit_record(
    *,
    action: str,
    actor: Any = None,
    tenant: Any = None,
    target: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip_address: str | None = None,
    schema_name: str | None = None,
) -> Any:
    """Append one audit event and return it. `actor` is a user of any schema (None = the system);
    `tenant` is a tenant id or an object carrying it as `pk`, or `schema_name` names the tenant (a tenant
    app passes `connection.schema_name`); neither: a platform-wide event."""
    event = _event(action=action, actor=actor, tenant=tenant, target=target, before=before, after=after,
                   ip_address=ip_address, schema_name=schema_name)
    event.save(force_insert=True)
    return event


def audit_record_many(
    *,
    action: str,
    targets: Sequence[Any],
    tenants: Sequence[Any],
    afters: Sequence[dict[str, Any]],
    actor: Any = None,
    befores: Sequence[dict[str, Any]] | None = None,
) -> None:
    """One audit event per target, in one INSERT (the billing run issues thousands of invoices).
    `targets`, `tenants`, `afters` (and `befores`, when given) go in step."""
    audit_event = apps.get_model("tenants", "AuditEvent")
    audit_event.objects.bulk_create([
        _event(action=action, actor=actor, tenant=tenant, target=target, before=before, after=after,
               ip_address=None)
        for target, tenant, after, before in zip(targets, tenants, afters, befores or [None] * len(targets),
                                                 strict=True)
    ])


# Keys of an audit event's before/after that name or reach a person (SPEC R29: emptied when the person is erased
# or the tenant purged).
PERSONAL_KEYS = ("email", "admin_email", "full_name", "signer_email", "signer_name", "recipients", "ip_address",
                 "contact_email", "contact_name", "requested_by_email")


def audit_person_anonymise(*, schema_name: str, user_id: int, email: str) -> int:
    """The audit events done by the user `email` of schema `schema_name`, or naming them in their before/after,
    keep what happened and when, not who (SPEC R29, right to erasure); returns the number of events changed.
    Named in settings.USER_ERASURE_HOOKS."""
    audit_event = apps.get_model("tenants", "AuditEvent")
    tenants = audit_event._meta.get_field("tenant").related_model._meta.db_table
    keys = list(PERSONAL_KEYS)
    like = "%" + email.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {audit_event._meta.db_table}
                   SET actor_email = CASE WHEN actor_schema = %s AND actor_email = %s THEN '' ELSE actor_email END,
                       ip_address = CASE WHEN actor_schema = %s AND actor_email = %s THEN NULL ELSE ip_address END,
                       before = CASE WHEN before::text ILIKE %s THEN before - %s::text[] ELSE before END,
                       after = CASE WHEN after::text ILIKE %s THEN after - %s::text[] ELSE after END
                 WHERE (actor_schema = %s AND actor_email = %s)
                    OR (tenant_id = (SELECT id FROM {tenants} WHERE schema_name = %s)
                        AND (before::text ILIKE %s OR after::text ILIKE %s))""",  # noqa: S608 — our table names
            [schema_name, email, schema_name, email, like, keys, like, keys, schema_name, email, schema_name, like,
             like])
        return cursor.rowcount
