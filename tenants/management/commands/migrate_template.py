"""`manage.py migrate_template`: create and migrate the tenant template schema alone.

`migrate_schemas` already does it on every run over all tenants (tenants/migration.py)."""

from typing import Any

from django.core.management.base import BaseCommand

from tenants.migration import template_schema_migrate, template_schema_name


class Command(BaseCommand):
    help = "Create and migrate the template schema that new tenants are cloned from."

    def handle(self, *args: Any, **options: Any) -> None:
        template_schema_migrate()
        self.stdout.write(f"template schema {template_schema_name()} is migrated")
