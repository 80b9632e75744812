"""`migrate_schemas` keeps the template schema migrated, with the same command that migrates tenants.

django-tenants' `migrate_schemas` migrates `public` and every schema listed in the Tenant table; the
template (`TENANT_BASE_SCHEMA`) has no Tenant row, so `GET_EXECUTOR_FUNCTION` points here: the
executor chosen by `--executor` is wrapped so that a run over all tenant schemas migrates the template
first (creating it when missing). `tenant_provision` then clones the template (see `clone.py`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.migration_executors import get_executor as stock_get_executor


def template_schema_name() -> str:
    return settings.TENANT_BASE_SCHEMA


def get_executor(codename: str | None = None) -> type:
    base = stock_get_executor(codename=codename)

    class TemplateFirstExecutor(base):  # type: ignore[misc, valid-type]
        def run_migrations(self, tenants: Any = None) -> None:
            schemas = list(tenants or [])
            all_tenants = not self.options.get("schema_name") and schemas != [self.PUBLIC_SCHEMA_NAME]
            if all_tenants and template_schema_name() not in schemas:
                schema_create_if_missing(schema_name=template_schema_name())
                schemas.insert(0, template_schema_name())
            super().run_migrations(tenants=schemas)

    TemplateFirstExecutor.__name__ = f"TemplateFirst{base.__name__}"
    return TemplateFirstExecutor


def schema_create_if_missing(*, schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')


def template_schema_migrate() -> None:
    """Create and migrate the template schema alone (used when it is missing or behind)."""
    from django.core.management import call_command

    schema_create_if_missing(schema_name=template_schema_name())
    call_command("migrate_schemas", schema_name=template_schema_name(), interactive=False, verbosity=0)
    connection.set_schema_to_public()
