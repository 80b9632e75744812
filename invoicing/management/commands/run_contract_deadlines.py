"""`manage.py run_contract_deadlines [--dry-run]`: the contract's deadlines that are not billing (SPEC R24, R27)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from invoicing import services


class Command(BaseCommand):
    help = ("Warn and terminate tenants suspended for non-payment too long; plan retirements' export reminders. "
            "--dry-run changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print what would be done; change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        with schema_context("public"):
            report = services.contract_deadlines_run(dry_run=dry_run)
        for line in report.lines():
            self.stdout.write(line)
