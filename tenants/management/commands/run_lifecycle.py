"""`manage.py run_lifecycle [--dry-run]`: the daily lifecycle sweep (SPEC §4, R12–R15)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tenants.services import lifecycle_run


class Command(BaseCommand):
    help = "Move tenants whose dates have passed (retention, reminders, destruction). --dry-run changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print what would change, change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        if dry_run:
            # Belt and braces: whatever a dry run touches is rolled back.
            with transaction.atomic():
                report = lifecycle_run(dry_run=True)
                transaction.set_rollback(True)
        else:
            report = lifecycle_run()
        for line in report.lines():
            self.stdout.write(line)
