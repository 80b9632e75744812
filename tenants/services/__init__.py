"""Writes on tenants: provisioning, invitations, the lifecycle, purge, exports, support access, audit.

Business rules live here, found by name (STYLE 1). Each state change runs under `transaction.atomic`
and writes an audit event; e-mails leave on commit, so a rolled-back change never announces itself.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists

from mooc_platform.accounts.models import User
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from mooc_platform.middleware import tenant_cache_clear
from mooc_platform.storage import tenant_prefix

from . import s3
from .clone import schema_clone
from .dates import paris_days_later
from .invitations import invitation_link
from .migration import template_schema_migrate, template_schema_name
from .models import AuditEvent, CustomDomain, DestructionRecord, Domain, SupportAccessGrant, Tenant, TenantExport
from .selectors import tenant_administrator_emails, tenant_schema_tables

RESERVED_SLUGS = frozenset(
    {"www", "api", "console", "status", "admin", "app", "mail", "smtp", "static", "media", "public",
     "platform", "support", "billing", "help", "docs", "cdn", "assets", "template", "test"}
)
SLUG_PATTERN = re.compile(r"^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$")
logger = logging.getLogger(__name__)


class InvalidSlugError(ApplicationError):
    code = "invalid_slug"


def audit_record(
    *,
    action: str,
    actor: Any = None,
    tenant: Tenant | None = None,
    target: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. `actor` is a user of any schema (None = the system)."""
    return AuditEvent.objects.create(
        action=action,
        actor_email=getattr(actor, "email", "") or "",
        actor_schema=connection.schema_name if actor is not None else "",
        tenant=tenant,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        before=before or {},
        after=after or {},
        ip_address=ip_address,
    )


def tenant_slug_validate(*, slug: str) -> str:
    """A slug becomes a host label and a schema name: DNS-safe, not reserved, not taken (SPEC R1)."""
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise InvalidSlugError(
            "The address must be 1 to 40 characters: lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen.",
            details={"slug": slug},
        )
    if slug in RESERVED_SLUGS:
        raise InvalidSlugError(f"'{slug}' is reserved by the platform.", details={"slug": slug})
    if Tenant.objects.filter(slug=slug).exists():
        raise InvalidSlugError(f"'{slug}' is already taken.", details={"slug": slug}, code="slug_taken")
    return slug


def tenant_schema_name(*, slug: str) -> str:
    return "t_" + slug.replace("-", "_")


def tenant_primary_domain(*, slug: str) -> str:
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def platform_tenant_ensure() -> Tenant:
    """The `public` tenant row that routes PLATFORM_DOMAIN to the platform's pages."""
    tenant, _created = Tenant.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME, defaults={"slug": "platform", "name": settings.PLATFORM_NAME}
    )
    Domain.objects.get_or_create(domain=settings.PLATFORM_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant


# --- Provisioning (SPEC R1, R2, R6) ---------------------------------------------------------------

_expected_migrations: set[tuple[str, str]] | None = None


def template_schema_ensure() -> None:
    """The template must exist and carry every migration on disk; `migrate_schemas` keeps it so, and
    this is the safety net for a database migrated otherwise (one schema at a time, for instance)."""
    global _expected_migrations
    if _expected_migrations is None:
        from django.db.migrations.loader import MigrationLoader

        _expected_migrations = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    template = template_schema_name()
    if schema_exists(template):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT app, name FROM "{template}".django_migrations')  # noqa: S608 - identifiers come from the catalogue
            if _expected_migrations <= set(cursor.fetchall()):
                return
    if connection.in_atomic_block:
        raise ConflictError("The tenant template schema is missing or behind: run `manage.py migrate_schemas`.",
                            code="template_not_migrated")
    template_schema_migrate()


def tenant_provision(
    *,
    slug: str,
    name: str,
    admin_email: str,
    seat_limit: int = 50,
    storage_quota_bytes: int = 10 * 1024**3,
    language: str = "fr",
    custom_domains_allowed: bool = False,
    actor: Any = None,
    admin_full_name: str = "",
    invite: bool = True,
) -> Tenant:
    """Create a tenant: schema cloned from the template, primary domain `<slug>.PLATFORM_DOMAIN`,
    seat and storage limits, first administrator invited by e-mail with a one-time link to choose a
    password. All or nothing: a failure leaves no tenant row, schema, domain or user, and the same
    call can be retried. The invitation leaves when the outermost transaction commits."""
    slug = tenant_slug_validate(slug=slug)
    template_schema_ensure()
    try:
        with transaction.atomic():
            tenant = Tenant.objects.create(
                schema_name=tenant_schema_name(slug=slug), slug=slug, name=name, seat_limit=seat_limit,
                storage_quota_bytes=storage_quota_bytes, language=language,
                custom_domains_allowed=custom_domains_allowed,
            )
            schema_clone(source=template_schema_name(), target=tenant.schema_name)
            Domain.objects.create(domain=tenant_primary_domain(slug=slug), tenant=tenant, is_primary=True)
            with schema_context(tenant.schema_name):
                admin = User.objects.create_user(admin_email, None, role=User.Role.ADMINISTRATOR,
                                                 full_name=admin_full_name, language=language)
                link = invitation_link(tenant=tenant, user=admin)
            audit_record(action="tenant.provisioned", actor=actor, tenant=tenant, target=tenant,
                         after={"slug": slug, "state": tenant.state, "seat_limit": seat_limit,
                                "storage_quota_bytes": storage_quota_bytes, "admin_email": admin.email})
            if invite:
                context = {"tenant": tenant, "link": link, "email": admin.email}
                transaction.on_commit(lambda: email_send(to=[context["email"]], template="tenants/emails/invitation",
                                                         context=context, language=language))
    except IntegrityError as exc:
        # Two provisionings of the same slug raced: the loser gets the same error as a late request.
        raise InvalidSlugError(f"'{slug}' is already taken.", details={"slug": slug}, code="slug_taken") from exc
    return tenant


def user_invitation_send(*, tenant: Tenant, user: User) -> str:
    """E-mail `user` (of `tenant`'s schema) a one-time link to choose a password; returns the link."""
    link = invitation_link(tenant=tenant, user=user)
    context = {"tenant": tenant, "link": link, "email": user.email}
    transaction.on_commit(lambda: email_send(to=[user.email], template="tenants/emails/invitation",
                                             context=context, language=user.language or tenant.language))
    return link


# --- Custom domains (SPEC R1) -----------------------------------------------------------------------

DOMAIN_PATTERN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def custom_domain_request(*, tenant: Tenant, domain: str, actor: Any = None) -> CustomDomain:
    """A customer asks for its own host name; it routes once verified (DNS TXT) and approved."""
    domain = (domain or "").strip().lower().rstrip(".")
    if not tenant.custom_domains_allowed:
        raise ForbiddenError("Your plan does not include custom domains.", code="custom_domains_not_included")
    if not DOMAIN_PATTERN.match(domain) or domain.endswith(settings.PLATFORM_DOMAIN):
        raise ApplicationError("Not a valid domain name for your organisation.", code="invalid_domain",
                               details={"domain": domain})
    if CustomDomain.objects.filter(domain=domain).exists() or Domain.objects.filter(domain=domain).exists():
        raise ConflictError("This domain is already registered.", code="domain_taken", details={"domain": domain})
    with transaction.atomic():
        custom = CustomDomain.objects.create(tenant=tenant, domain=domain, verification_token=secrets.token_hex(16),
                                             requested_by_email=getattr(actor, "email", ""))
        audit_record(action="custom_domain.requested", actor=actor, tenant=tenant, target=custom,
                     after={"domain": domain})
    return custom


def custom_domain_verify(*, custom_domain: CustomDomain, txt_records: list[str] | None = None,
                         now: datetime | None = None) -> CustomDomain:
    """Mark the domain verified when the TXT record `_mooc-verification.<domain>` holds its token.
    `txt_records` defaults to a live DNS look-up (tests pass the records)."""
    from . import dns

    name = dns.verification_record_name(domain=custom_domain.domain)
    records = dns.txt_records(name=name) if txt_records is None else txt_records
    if custom_domain.verification_token not in {r.strip().strip('"') for r in records}:
        raise ApplicationError("The verification record was not found.", code="domain_not_verified",
                               details={"record": name, "type": "TXT",
                                        "expected": custom_domain.verification_token})
    custom_domain.verified_at = now or timezone.now()
    custom_domain.save(update_fields=["verified_at"])
    audit_record(action="custom_domain.verified", tenant=custom_domain.tenant, target=custom_domain)
    return custom_domain


def custom_domain_approve(*, custom_domain: CustomDomain, actor: Any, now: datetime | None = None) -> Domain:
    """An operator approves a verified custom domain: from now on it routes to the tenant."""
    if custom_domain.verified_at is None:
        raise ConflictError("Verify the domain before approving it.", code="domain_not_verified")
    with transaction.atomic():
        custom_domain.approved_at = now or timezone.now()
        custom_domain.approved_by_email = getattr(actor, "email", "")
        custom_domain.save(update_fields=["approved_at", "approved_by_email"])
        domain = Domain.objects.create(domain=custom_domain.domain, tenant=custom_domain.tenant, is_primary=False,
                                       verification_token=custom_domain.verification_token,
                                       verified_at=custom_domain.verified_at)
        audit_record(action="custom_domain.approved", actor=actor, tenant=custom_domain.tenant,
                     target=custom_domain, after={"domain": custom_domain.domain})
    transaction.on_commit(tenant_cache_clear)
    return domain


# --- Lifecycle (SPEC R10–R14) ----------------------------------------------------------------------
# One service per transition; each checks that the transition is legal, writes an audit event and
# e-mails the tenant's administrators on commit.

RETENTION_DAYS = 180
REMINDER_DAYS = (30, 7)


class IllegalTransitionError(ApplicationError):
    code = "illegal_transition"
    status_code = 409


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _lifecycle_email(*, tenant: Tenant, event: str, extra: dict[str, Any] | None = None) -> None:
    """Queue the e-mail announcing `event` to the tenant's administrators (sent on commit)."""
    recipients = tenant_administrator_emails(tenant=tenant)
    context = {"tenant": tenant, "event": event, "tenant_url": tenant_url(tenant=tenant),
               "platform_name": settings.PLATFORM_NAME, **(extra or {})}
    transaction.on_commit(lambda: email_send(to=recipients, template="tenants/emails/lifecycle", context=context,
                                             language=tenant.language))


def tenant_url(*, tenant: Tenant, path: str = "/") -> str:
    port = f":{settings.PLATFORM_URL_PORT}" if settings.PLATFORM_URL_PORT else ""
    return f"{settings.PLATFORM_URL_SCHEME}://{tenant_primary_domain(slug=tenant.slug)}{port}{path}"


def _transition(*, tenant: Tenant, allowed_from: set[str], to: str, action: str, actor: Any,
                changes: dict[str, Any], notify: bool = True, event: str | None = None,
                guard: Any = None) -> Tenant:
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.state not in allowed_from:
            raise IllegalTransitionError(
                _("A tenant that is %(from)s cannot become %(to)s.") % {"from": locked.state, "to": to},
                details={"from": locked.state, "to": to, "allowed_from": sorted(allowed_from)},
            )
        if guard is not None:
            guard(locked)
        before = {"state": locked.state, **{k: _jsonable(getattr(locked, k)) for k in changes}}
        locked.state = to
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=["state", *changes])
        audit_record(action=action, actor=actor, tenant=locked, target=locked, before=before,
                     after={"state": to, **{k: _jsonable(v) for k, v in changes.items()}})
        if notify:
            _lifecycle_email(tenant=locked, event=event or action.split(".", 1)[1])
        tenant_cache_clear()
        transaction.on_commit(tenant_cache_clear)
    for name in ("state", *changes):
        setattr(tenant, name, getattr(locked, name))
    return tenant


def tenant_suspend(*, tenant: Tenant, reason: str, actor: Any = None, now: datetime | None = None,
                   notify: bool = True) -> Tenant:
    """Suspend access (non-payment or breach) until reinstated; no data is touched (SPEC R10, R11;
    GCS art. 4, 7: the customer is told by e-mail)."""
    return _transition(tenant=tenant, allowed_from={Tenant.State.ACTIVE}, to=Tenant.State.SUSPENDED,
                       action="tenant.suspended", actor=actor, notify=notify,
                       changes={"suspended_at": now or timezone.now(), "suspension_reason": reason})


def tenant_reinstate(*, tenant: Tenant, actor: Any = None, notify: bool = True) -> Tenant:
    """Give access back at once (full payment of the sums due, or the breach is over; SPEC R10).

    A suspended tenant that cancelled meanwhile stays cancelled: reinstating it lifts the suspension,
    so that it gets its access back until its paid-through date."""
    current = Tenant.objects.only("state", "suspended_at").get(pk=tenant.pk)
    if current.state == Tenant.State.CANCELLED and current.suspended_at is not None:
        def still_suspended(locked: Tenant) -> None:
            if locked.suspended_at is None:
                raise IllegalTransitionError(_("This tenant is not suspended."), details={"from": locked.state})

        return _transition(tenant=tenant, allowed_from={Tenant.State.CANCELLED}, to=Tenant.State.CANCELLED,
                           action="tenant.reinstated", actor=actor, notify=notify, guard=still_suspended,
                           event="reinstated", changes={"suspended_at": None, "suspension_reason": ""})
    return _transition(tenant=tenant, allowed_from={Tenant.State.SUSPENDED}, to=Tenant.State.ACTIVE,
                       action="tenant.reinstated", actor=actor, notify=notify,
                       changes={"suspended_at": None, "suspension_reason": ""})


def tenant_cancel(*, tenant: Tenant, access_ends_at: datetime, actor: Any = None, notify: bool = True) -> Tenant:
    """The customer cancels: no refund, access continues until the paid-through date (SPEC R12,
    GCS art. 3). `run_lifecycle` moves the tenant to retention once that date has passed."""
    return _transition(tenant=tenant, allowed_from={Tenant.State.ACTIVE, Tenant.State.SUSPENDED},
                       to=Tenant.State.CANCELLED, action="tenant.cancelled", actor=actor, notify=notify,
                       changes={"access_ends_at": access_ends_at,
                                "retention_ends_at": paris_days_later(access_ends_at, RETENTION_DAYS)})


def tenant_terminate(*, tenant: Tenant, reason: str, actor: Any = None, now: datetime | None = None,
                     notify: bool = True) -> Tenant:
    """The operator ends access at once (non-payment, offence, data volume); retention follows (SPEC R13)."""
    now = now or timezone.now()
    return _transition(
        tenant=tenant, allowed_from={Tenant.State.ACTIVE, Tenant.State.SUSPENDED, Tenant.State.CANCELLED},
        to=Tenant.State.RETENTION, action="tenant.terminated", actor=actor, notify=notify,
        changes={"access_ends_at": now, "retention_ends_at": paris_days_later(now, RETENTION_DAYS),
                 "suspension_reason": reason, "reminder_30_sent_at": None, "reminder_7_sent_at": None},
    )


def tenant_access_end(*, tenant: Tenant, actor: Any = None, now: datetime | None = None, notify: bool = True
                      ) -> Tenant:
    """Access ended (paid-through date passed): the data is kept 180 days (SPEC R12)."""
    now = now or timezone.now()

    def guard(locked: Tenant) -> None:
        if locked.access_ends_at is None or locked.access_ends_at > now:
            raise IllegalTransitionError(_("Access has not ended yet."), details={
                "access_ends_at": _jsonable(locked.access_ends_at)})

    ends = tenant.access_ends_at or now
    return _transition(tenant=tenant, allowed_from={Tenant.State.CANCELLED}, to=Tenant.State.RETENTION,
                       action="tenant.retention_started", actor=actor, notify=notify, guard=guard,
                       changes={"retention_ends_at": paris_days_later(ends, RETENTION_DAYS),
                                "reminder_30_sent_at": None, "reminder_7_sent_at": None})


def tenant_resubscribe(*, tenant: Tenant, actor: Any = None, now: datetime | None = None, notify: bool = True
                       ) -> Tenant:
    """The customer subscribes again before destruction: the tenant comes back untouched (SPEC R14).
    Refused once the retention period is over or a purge has started."""
    now = now or timezone.now()

    def guard(locked: Tenant) -> None:
        if locked.state == Tenant.State.RETENTION and locked.retention_ends_at and locked.retention_ends_at <= now:
            raise IllegalTransitionError(_("The retention period is over: the data is being destroyed."),
                                         details={"retention_ends_at": _jsonable(locked.retention_ends_at)})
        if DestructionRecord.objects.filter(tenant=locked).exists():
            raise IllegalTransitionError(_("The destruction of this tenant's data has started."))

    return _transition(tenant=tenant, allowed_from={Tenant.State.RETENTION, Tenant.State.CANCELLED},
                       to=Tenant.State.ACTIVE, action="tenant.resubscribed", actor=actor, notify=notify, guard=guard,
                       changes={"access_ends_at": None, "retention_ends_at": None, "suspended_at": None,
                                "suspension_reason": "", "reminder_30_sent_at": None, "reminder_7_sent_at": None})


# --- The daily sweep (SPEC R12–R15, `run_lifecycle`) -------------------------------------------------


@dataclass
class LifecycleReport:
    """What a sweep did (or, dry, would do): lists of (slug, detail) per kind of change."""

    now: datetime
    dry_run: bool
    retention_started: list[tuple[str, str]] = field(default_factory=list)
    reminders: list[tuple[str, str]] = field(default_factory=list)
    purged: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "would " if self.dry_run else ""
        out = [f"run_lifecycle at {self.now.isoformat()}{' (dry run: nothing changed)' if self.dry_run else ''}"]
        out += [f"{verb}start retention: {slug} ({detail})" for slug, detail in self.retention_started]
        out += [f"{verb}send reminder: {slug} ({detail})" for slug, detail in self.reminders]
        out += [f"{verb}DESTROY: {slug} ({detail})" for slug, detail in self.purged]
        out += [f"error: {slug}: {detail}" for slug, detail in self.errors]
        if len(out) == 1:
            out.append("nothing to do")
        return out


def lifecycle_run(*, now: datetime | None = None, dry_run: bool = False) -> LifecycleReport:
    """Move every tenant whose dates have passed: cancelled past its paid-through date → retention;
    retention 30 and 7 days before its end → reminder; retention past its end (or a purge left
    unfinished) → purge. One query per kind of change selects the tenants (set-based)."""
    now = now or timezone.now()
    report = LifecycleReport(now=now, dry_run=dry_run)
    from .selectors import tenants_due_for_purge, tenants_due_for_reminder, tenants_due_for_retention

    for tenant in tenants_due_for_retention(now=now):
        report.retention_started.append(
            (tenant.slug, f"access ended {tenant.access_ends_at.isoformat()}, data kept until "
                          f"{paris_days_later(tenant.access_ends_at, RETENTION_DAYS).isoformat()}"))
        if not dry_run:
            _sweep_step(report, tenant, lambda t=tenant: tenant_access_end(tenant=t, now=now))
    for tenant, days in tenants_due_for_reminder(now=now):
        report.reminders.append(
            (tenant.slug, f"{days} days before destruction on {tenant.retention_ends_at.isoformat()}"))
        if not dry_run:
            tenant_destruction_reminder_send(tenant=tenant, days=days, now=now)
    for tenant in tenants_due_for_purge(now=now):
        tables = tenant_schema_tables(schema_name=tenant.schema_name) if schema_exists(tenant.schema_name) else {}
        report.purged.append(
            (tenant.slug, f"schema {tenant.schema_name}: {len(tables)} tables, {sum(tables.values())} rows; "
                          f"S3 prefix {tenant_prefix(schema_name=tenant.schema_name)}; "
                          f"retention ended {_jsonable(tenant.retention_ends_at)}"))
        if not dry_run:
            _sweep_step(report, tenant, lambda t=tenant: tenant_purge(tenant=t, now=now))
    return report


def _sweep_step(report: LifecycleReport, tenant: Tenant, step: Any) -> None:
    """One tenant's failure (S3 down, a lock) is reported and retried tomorrow; the others go on."""
    try:
        step()
    except ApplicationError as exc:
        report.errors.append((tenant.slug, exc.message))
    except Exception as exc:  # a batch job reports every failure and goes on with the next tenant
        logger.exception("lifecycle step failed for tenant %s", tenant.slug)
        report.errors.append((tenant.slug, f"{type(exc).__name__}: {exc}"))


def tenant_destruction_reminder_send(*, tenant: Tenant, days: int, now: datetime | None = None) -> None:
    """E-mail the administrators `days` (30 or 7) days before destruction, once (SPEC R14)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        names = ["reminder_7_sent_at", "reminder_30_sent_at"] if days == 7 else ["reminder_30_sent_at"]
        if locked.state != Tenant.State.RETENTION or getattr(locked, names[0]) is not None:
            return
        for name in names:  # a late 7-day reminder makes the 30-day one moot
            if getattr(locked, name) is None:
                setattr(locked, name, now)
        locked.save(update_fields=names)
        audit_record(action=f"tenant.destruction_reminder_{days}", tenant=locked, target=locked,
                     after={"retention_ends_at": _jsonable(locked.retention_ends_at), "days": days})
        _lifecycle_email(tenant=locked, event="destruction_reminder", extra={"days": days})


# --- Purge (SPEC R12, R15) -------------------------------------------------------------------------


class PurgeRefusedError(ConflictError):
    code = "purge_refused"


def _purge_guard(*, tenant: Tenant, now: datetime) -> None:
    started = DestructionRecord.objects.filter(tenant=tenant, completed_at__isnull=True).exists()
    if tenant.state != Tenant.State.RETENTION or tenant.retention_ends_at is None:
        raise PurgeRefusedError(_("Only a tenant in retention can be destroyed (this one is %(state)s).")
                                % {"state": tenant.state})
    if tenant.retention_ends_at > now and not started:
        raise PurgeRefusedError(_("The retention period is not over."),
                                details={"retention_ends_at": _jsonable(tenant.retention_ends_at)})


def tenant_purge(*, tenant: Tenant, now: datetime | None = None, actor: Any = None, batch_size: int = 1000
                 ) -> DestructionRecord:
    """Destroy a tenant's data for good: every S3 object version under its prefix (in batches), then
    its schema and domains; the Tenant row stays (state `purged`, invoices refer to it).

    Guarded twice: the tenant must be in retention with its retention date past, checked before any
    deletion and again, under a row lock, before the schema is dropped. Progress is stored in the
    DestructionRecord, so a purge interrupted at any step is finished by the next call."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        _purge_guard(tenant=locked, now=now)
        record, created = DestructionRecord.objects.get_or_create(
            tenant=locked, defaults={"slug": locked.slug, "name": locked.name, "schema_name": locked.schema_name,
                                     "access_ends_at": locked.access_ends_at,
                                     "retention_ends_at": locked.retention_ends_at, "started_at": now})
        if created:
            audit_record(action="tenant.purge_started", actor=actor, tenant=locked, target=locked,
                         after={"retention_ends_at": _jsonable(locked.retention_ends_at)})

    def progress(count: int, size: int) -> None:
        DestructionRecord.objects.filter(pk=record.pk).update(
            objects_deleted=F("objects_deleted") + count, bytes_deleted=F("bytes_deleted") + size)

    # Run again after an interruption, and as a last pass before the drop: an object written meanwhile
    # (an export finishing, say) must not outlive the purge. With nothing left it is one listing.
    s3.prefix_versions_delete(prefix=tenant_prefix(schema_name=record.schema_name), batch_size=batch_size,
                              on_batch=progress)
    if record.s3_completed_at is None:
        DestructionRecord.objects.filter(pk=record.pk).update(s3_completed_at=timezone.now())
    _purge_database(tenant=tenant, record_id=record.pk, now=now, actor=actor)
    record.refresh_from_db()
    tenant.refresh_from_db()
    return record


def _purge_database(*, tenant: Tenant, record_id: int, now: datetime, actor: Any) -> None:
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        record = DestructionRecord.objects.select_for_update().get(pk=record_id)
        if record.completed_at is not None:
            return
        _purge_guard(tenant=locked, now=now)
        if schema_exists(locked.schema_name):
            record.tables = tenant_schema_tables(schema_name=locked.schema_name)
            with connection.cursor() as cursor:
                # Deferred foreign-key checks of rows written earlier in this transaction would block the drop.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'DROP SCHEMA "{locked.schema_name}" CASCADE')
        domains = list(Domain.objects.filter(tenant=locked).values_list("domain", flat=True))
        Domain.objects.filter(tenant=locked).delete()
        CustomDomain.objects.filter(tenant=locked).delete()
        SupportAccessGrant.objects.filter(tenant=locked).delete()
        TenantExport.objects.filter(tenant=locked).update(s3_key="", status=TenantExport.Status.FAILED,
                                                          error="Destroyed with the tenant's data.")
        record.domains_deleted = domains
        record.completed_at = timezone.now()
        record.save()
        locked.state = Tenant.State.PURGED
        locked.purged_at = record.completed_at
        locked.storage_used_bytes = 0
        locked.save(update_fields=["state", "purged_at", "storage_used_bytes"])
        audit_record(action="tenant.purged", actor=actor, tenant=locked, target=locked,
                     before={"state": Tenant.State.RETENTION}, after={"state": Tenant.State.PURGED,
                     "rows_dropped": sum(record.tables.values()), "objects_deleted": record.objects_deleted,
                     "bytes_deleted": record.bytes_deleted})
        tenant_cache_clear()
        transaction.on_commit(tenant_cache_clear)
    tenant.state, tenant.purged_at = locked.state, locked.purged_at


# --- Exports (SPEC R14) ----------------------------------------------------------------------------

EXPORTABLE_STATES = {Tenant.State.ACTIVE, Tenant.State.SUSPENDED, Tenant.State.CANCELLED, Tenant.State.RETENTION}


def tenant_export_request(*, tenant: Tenant, actor: Any) -> TenantExport:
    """An administrator asks for a full export; a Celery task builds it (`exports.export_build`)."""
    now = timezone.now()
    due = tenant.state == Tenant.State.RETENTION and tenant.retention_ends_at and tenant.retention_ends_at <= now
    if tenant.state not in EXPORTABLE_STATES or due or DestructionRecord.objects.filter(tenant=tenant).exists():
        raise ConflictError(_("This organisation's data can no longer be exported."), code="export_unavailable")
    with transaction.atomic():
        Tenant.objects.select_for_update().get(pk=tenant.pk)
        if TenantExport.objects.filter(tenant=tenant, status__in=[TenantExport.Status.PENDING,
                                                                  TenantExport.Status.RUNNING]).exists():
            raise ConflictError(_("An export is already being prepared."), code="export_in_progress")
        export = TenantExport.objects.create(tenant=tenant, requested_by_email=actor.email)
        audit_record(action="tenant.export_requested", actor=actor, tenant=tenant, target=export)
        from .tasks import tenant_export_build_task

        transaction.on_commit(lambda: tenant_export_build_task.delay(export_id=export.pk))
    return export


# --- Support access (SPEC R19, GCS art. 5) ---------------------------------------------------------

SUPPORT_GRANT_MAX_DAYS = 30
SUPPORT_RESOURCES = {"users": ("accounts_user", SupportAccessGrant.Scope.USERS),
                     "courses": ("courses_course", SupportAccessGrant.Scope.COURSES)}


def support_grant_create(*, tenant: Tenant, scope: str, expires_at: datetime, actor: Any, reason: str = "",
                         now: datetime | None = None) -> SupportAccessGrant:
    """A customer administrator lets operators see `scope` until `expires_at` (at most 30 days)."""
    now = now or timezone.now()
    if scope not in SupportAccessGrant.Scope.values:
        raise ApplicationError("Unknown scope.", code="invalid_scope",
                               details={"scope": scope, "allowed": SupportAccessGrant.Scope.values})
    if expires_at <= now or expires_at > now + timedelta(days=SUPPORT_GRANT_MAX_DAYS):
        raise ApplicationError(f"The expiry must be in the future and at most {SUPPORT_GRANT_MAX_DAYS} days away.",
                               code="invalid_expiry", details={"expires_at": _jsonable(expires_at)})
    with transaction.atomic():
        grant = SupportAccessGrant.objects.create(tenant=tenant, scope=scope, expires_at=expires_at, reason=reason,
                                                  granted_by_email=actor.email)
        audit_record(action="support.granted", actor=actor, tenant=tenant, target=grant,
                     after={"scope": scope, "expires_at": _jsonable(expires_at)})
    return grant


def support_grant_revoke(*, grant: SupportAccessGrant, actor: Any, now: datetime | None = None
                         ) -> SupportAccessGrant:
    if grant.revoked_at is not None:
        raise ConflictError("This grant is already revoked.", code="already_revoked")
    with transaction.atomic():
        grant.revoked_at = now or timezone.now()
        grant.revoked_by_email = actor.email
        grant.save(update_fields=["revoked_at", "revoked_by_email"])
        audit_record(action="support.revoked", actor=actor, tenant=grant.tenant, target=grant)
    return grant


def support_content_read(*, tenant: Tenant, resource: str, operator: Any, ip_address: str | None = None,
                         now: datetime | None = None) -> list[dict[str, Any]]:
    """An operator reads `resource` ("users" or "courses") of a tenant under a valid grant; the read
    is audited and listed to the customer. Raw reads of the schema (no tenant app imported)."""
    now = now or timezone.now()
    if resource not in SUPPORT_RESOURCES:
        raise NotFoundError("Unknown resource.", details={"resource": resource, "allowed": sorted(SUPPORT_RESOURCES)})
    table, scope = SUPPORT_RESOURCES[resource]
    grant = next((g for g in SupportAccessGrant.objects.filter(tenant=tenant, revoked_at__isnull=True,
                                                               expires_at__gt=now)
                  if g.covers(scope=scope, now=now)), None)
    if grant is None:
        raise ForbiddenError("The customer has not granted support access to this content.",
                             code="support_access_not_granted", details={"scope": scope})
    from .selectors import schema_table_rows

    rows = schema_table_rows(schema_name=tenant.schema_name, table=table)
    audit_record(action="support.accessed", actor=operator, tenant=tenant, target=grant, ip_address=ip_address,
                 after={"resource": resource, "rows": len(rows), "grant_id": grant.pk})
    return rows


# --- Storage usage (SPEC R20) ------------------------------------------------------------------------

EXPORTS_FOLDER = "exports/"


def storage_usage_reconcile(*, tenant: Tenant) -> int:
    """Set `storage_used_bytes` to the bytes of the tenant's current S3 objects (exports excluded,
    they are ours); returns the new figure."""
    prefix = tenant_prefix(schema_name=tenant.schema_name)
    used = s3.prefix_size(prefix=prefix, exclude_prefixes=(prefix + EXPORTS_FOLDER,))
    Tenant.objects.filter(pk=tenant.pk).update(storage_used_bytes=used)
    tenant.storage_used_bytes = used
    return used
