"""`manage.py run_billing [--dry-run]`: issue the invoices due, then dunning (SPEC §4, R8, R10)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from invoicing import services


class Command(BaseCommand):
    help = "Issue the invoices due today (Europe/Paris), then reminders, formal notices, late charges, suspensions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be done; change nothing.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, dry_run: bool = False, batch_size: int = 500, **options: Any) -> None:
        with schema_context("public"):
            cycle = services.billing_cycle_run(dry_run=dry_run, batch_size=batch_size, deliver_limit=100_000)
        if dry_run:
            self.stdout.write(f"dry run: {cycle.billing.subscriptions_due} subscription(s) to invoice, "
                              f"{cycle.invoices_due_unpaid} invoice(s) due and unpaid")
            for sub in cycle.subscriptions_due:
                self.stdout.write(f"  would invoice {sub.buyer_name} from {sub.next_period_start}")
            return
        billing, dunning, expired, delivered = cycle.billing, cycle.dunning, cycle.quotes_expired, cycle.delivered
        self.stdout.write(
            f"invoices issued: {billing.invoices_issued}; reminders: {dunning.reminders}; "
            f"formal notices: {dunning.formal_notices}; late charges updated: {dunning.late_charged}; "
            f"tenants suspended: {', '.join(dunning.suspended) or 'none'}; quotes expired: {expired}; "
            f"invoices delivered: {delivered}"
        )
