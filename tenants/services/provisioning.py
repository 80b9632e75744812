"""Provisioning (SPEC R1, R2, R6): slugs, the template schema new tenants are cloned from, a new
tenant with its domain and first administrator, and the platform's own tenant."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists

from mooc_platform.accounts.models import User
from mooc_platform.accounts.services import user_invitation_send  # the one invitation flow; re-exported
from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ConflictError
from tenants.errors import Code

from ..clone import schema_clone
from ..migration import template_schema_migrate, template_schema_name
from ..models import Domain, Tenant
from ..schema_pool import pool_schema_claim, pool_size_target

RESERVED_SLUGS = frozenset(
    {"www", "api", "console", "status", "admin", "app", "mail", "smtp", "static", "media", "public",
     "platform", "support", "billing", "help", "docs", "cdn", "assets", "template", "test"}
)


SLUG_PATTERN = re.compile(r"^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$")


class InvalidSlugError(ApplicationError):
    code = Code.INVALID_SLUG


def tenant_slug_validate(*, slug: str) -> str:
    """A slug becomes a host label and a schema name: DNS-safe, not reserved, not taken (SPEC R1)."""
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise InvalidSlugError(
            _("The address must be 1 to 40 characters: lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen."),
            details={"slug": slug},
        )
    if slug in RESERVED_SLUGS:
        raise InvalidSlugError(_("'%(slug)s' is reserved by the platform.") % {"slug": slug}, details={"slug": slug})
    if Tenant.objects.filter(slug=slug).exists():
        raise InvalidSlugError(_("'%(slug)s' is already taken.") % {"slug": slug}, details={"slug": slug},
                               code=Code.SLUG_TAKEN)
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
        raise ConflictError(_("The tenant template schema is missing or behind: run `manage.py migrate_schemas`."),
                            code=Code.TEMPLATE_NOT_MIGRATED)
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
    call can be retried. The invitation leaves when the outermost transaction commits.

    The schema is a ready one of the pool renamed (`schema_pool`, when TENANT_SCHEMA_POOL_SIZE > 0),
    else a clone of the template; the pool is topped up in the background after the commit."""
    slug = tenant_slug_validate(slug=slug)
    template_schema_ensure()
    try:
        with transaction.atomic():
            tenant = Tenant.objects.create(
                schema_name=tenant_schema_name(slug=slug), slug=slug, name=name, seat_limit=seat_limit,
                storage_quota_bytes=storage_quota_bytes, language=language,
                custom_domains_allowed=custom_domains_allowed,
            )
            if not pool_schema_claim(target=tenant.schema_name):
                schema_clone(source=template_schema_name(), target=tenant.schema_name)
            Domain.objects.create(domain=tenant_primary_domain(slug=slug), tenant=tenant, is_primary=True)
            with schema_context(tenant.schema_name):
                admin = User.objects.create_user(admin_email, None, role=User.Role.ADMINISTRATOR,
                                                 full_name=admin_full_name, language=language)
            audit_record(action="tenant.provisioned", actor=actor, tenant=tenant, target=tenant,
                         after={"slug": slug, "state": tenant.state, "seat_limit": seat_limit,
                                "storage_quota_bytes": storage_quota_bytes, "admin_email": admin.email})
            if invite:
                user_invitation_send(user=admin, tenant=tenant)
            if pool_size_target():
                from ..tasks import schema_pool_refill_task

                transaction.on_commit(schema_pool_refill_task.delay)
    except IntegrityError as exc:
        # Two provisionings of the same slug raced: the loser gets the same error as a late request.
        raise InvalidSlugError(_("'%(slug)s' is already taken.") % {"slug": slug}, details={"slug": slug},
                               code=Code.SLUG_TAKEN) from exc
    return tenant

