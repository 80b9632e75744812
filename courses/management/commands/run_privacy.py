"""`manage.py run_privacy [--dry-run]`: anonymise the users deactivated for longer than
PRIVACY_DEACTIVATED_USER_DAYS (default 365) in every live tenant (SPEC R29); the same task beat runs daily."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from courses import services


class Command(BaseCommand):
    help = "Anonymise the users deactivated for longer than the configured period, in every live tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List who would be anonymised; change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        done = services.users_deactivated_anonymise_all_tenants(dry_run=dry_run)
        verb = "would anonymise" if dry_run else "anonymised"
        total = sum(len(ids) for ids in done.values())
        self.stdout.write(f"{verb} {total} user(s) deactivated more than {settings.PRIVACY_DEACTIVATED_USER_DAYS} "
                          f"days ago")
        for schema_name, ids in sorted(done.items()):
            self.stdout.write(f"  {schema_name}: user ids {', '.join(map(str, ids))}")
