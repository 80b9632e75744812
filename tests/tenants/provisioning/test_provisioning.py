"""Provisioning (SPEC R1, R2, R6): a schema cloned from the migrated template, a domain, an invited
administrator; all or nothing; slug rules."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from mooc_platform.accounts.models import User
from mooc_platform.http import tenant_url
from tenants import migration
from tenants.models import AuditEvent, Domain, Tenant
from tenants.services import InvalidSlugError, provisioning, tenant_provision, tenant_slug_validate
from tests.tenants.helpers import unique_slug


def _structure(schema: str) -> dict[str, list]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name, data_type, is_nullable, is_identity FROM "
                       "information_schema.columns WHERE table_schema = %s ORDER BY 1, 2", [schema])
        columns = cursor.fetchall()
        cursor.execute("SELECT c.relname, co.conname, co.contype, replace(pg_get_constraintdef(co.oid), %s, '') "
                       "FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n "
                       "ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1, 2", [schema + ".", schema])
        constraints = cursor.fetchall()
        cursor.execute("SELECT tablename, indexname, replace(indexdef, %s, '') FROM pg_indexes WHERE schemaname = %s "
                       "ORDER BY 1, 2", [schema + ".", schema])
        indexes = cursor.fetchall()
        cursor.execute("SELECT app, name FROM " + f'"{schema}".django_migrations ORDER BY 1, 2')
        migrations = cursor.fetchall()
    return {"columns": columns, "constraints": constraints, "indexes": indexes, "migrations": migrations}


def test_clone_has_exactly_the_template_structure_names_and_migration_history(make_tenant) -> None:
    tenant = make_tenant()
    template = _structure(migration.template_schema_name())
    clone = _structure(tenant.schema_name)
    assert clone == template
    from tenants.clone import _SCRIPT_CACHE

    assert [script.supported for script in _SCRIPT_CACHE.values()] == [True]  # our one-round-trip cloner ran
    assert len(template["columns"]) > 30 and any(c[0] == "courses_course" for c in template["columns"])


def test_clone_identity_sequences_continue_after_the_copied_rows(make_tenant) -> None:
    tenant = make_tenant()
    with schema_context(tenant.schema_name):
        from django.contrib.contenttypes.models import ContentType

        highest = ContentType.objects.order_by("-id").values_list("id", flat=True)[0]
        created = ContentType.objects.create(app_label="zz", model="probe")
    assert created.id == highest + 1


def test_provisioning_creates_schema_domain_and_invites_the_first_administrator(
        db, django_capture_on_commit_callbacks) -> None:
    slug = unique_slug("uni")
    with django_capture_on_commit_callbacks(execute=True):
        tenant = tenant_provision(slug=slug, name="Université Test", admin_email="Dean@Uni.test", seat_limit=120,
                                  storage_quota_bytes=5 * 1024**3, language="en")
    assert tenant.schema_name == "t_" + slug.replace("-", "_")
    assert schema_exists(tenant.schema_name)
    assert list(Domain.objects.filter(tenant=tenant).values_list("domain", "is_primary")) == [
        (f"{slug}.localhost", True)]
    assert (tenant.seat_limit, tenant.storage_quota_bytes, tenant.state) == (120, 5 * 1024**3, "active")
    with schema_context(tenant.schema_name):
        admin = User.objects.get()
    assert (admin.email, admin.role, admin.has_usable_password()) == ("dean@uni.test", "administrator", False)
    message = mail.outbox[-1]
    assert message.to == ["dean@uni.test"]
    assert message.subject == "You are invited to Université Test"
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    from mooc_platform.accounts.invitations import user_invitation_link

    assert user_invitation_link(tenant=tenant, email="DEAN@uni.test").split(".")[:-1] == link.split(".")[:-1]
    assert link.startswith(tenant_url(slug=tenant.slug, path="/invitation/"))
    assert f"//{slug}.localhost" in link
    assert AuditEvent.objects.filter(tenant=tenant, action="tenant.provisioned").count() == 1


def test_failure_mid_way_leaves_no_half_made_tenant_and_can_be_retried(db, monkeypatch) -> None:
    slug = unique_slug("half")
    original = provisioning.audit_record

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("crash after schema, domain and user")

    monkeypatch.setattr(provisioning, "audit_record", broken)
    with pytest.raises(RuntimeError):
        tenant_provision(slug=slug, name="Half", admin_email="a@half.test")
    assert not Tenant.objects.filter(slug=slug).exists()
    assert not Domain.objects.filter(domain=f"{slug}.localhost").exists()
    assert not schema_exists("t_" + slug.replace("-", "_"))
    assert connection.schema_name == "public"

    monkeypatch.setattr(provisioning, "audit_record", original)
    tenant = tenant_provision(slug=slug, name="Half", admin_email="a@half.test")
    assert schema_exists(tenant.schema_name)


@pytest.mark.parametrize(("slug", "code"), [
    ("", "invalid_slug"), ("UPPER_case", "invalid_slug"), ("9lives", "invalid_slug"), ("ends-", "invalid_slug"),
    ("a" * 41, "invalid_slug"), ("dot.ted", "invalid_slug"), ("www", "invalid_slug"), ("api", "invalid_slug"),
    ("console", "invalid_slug"), ("status", "invalid_slug"), ("demo", "slug_taken"),
])
def test_slug_validation_refuses_unsafe_reserved_and_taken_slugs(db, slug, code) -> None:
    with pytest.raises(InvalidSlugError) as error:
        tenant_slug_validate(slug=slug)
    assert error.value.code == code


def test_slug_validation_normalises_a_good_slug(db) -> None:
    assert tenant_slug_validate(slug="  Lyon-3 ") == "lyon-3"


def test_migrate_schemas_over_all_tenants_migrates_the_template_first(monkeypatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(migration, "schemas_status",
                        lambda schema_names: seen.append(list(schema_names)) or migration.SchemasStatus())
    monkeypatch.setattr(migration, "schema_create_if_missing", lambda schema_name: None)
    executor = migration.get_executor("standard")
    executor([], {"schema_name": None, "verbosity": 0}).run_migrations(tenants=["t_demo", "t_acme"])
    executor([], {"schema_name": None, "verbosity": 0}).run_migrations(tenants=["public"])
    executor([], {"schema_name": "t_demo", "verbosity": 0}).run_migrations(tenants=["t_demo"])
    assert seen == [["tenant_template", "t_demo", "t_acme"], ["public"], ["t_demo"]]


def test_template_schema_carries_every_migration_on_disk(db) -> None:
    from django.db.migrations.loader import MigrationLoader

    with connection.cursor() as cursor:
        cursor.execute('SELECT app, name FROM "tenant_template".django_migrations')
        applied = set(cursor.fetchall())
    assert set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes) <= applied
