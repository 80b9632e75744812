"""`manage.py run_billing [--dry-run]`: issue the invoices due, then dunning (SPEC §4, R8, R10)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import Invoice, Subscription
from invoicing.selectors.invoices import due_q
from mooc_platform.business_time import business_date


class Command(BaseCommand):
    help = "Issue the invoices due today (Europe/Paris), then reminders, formal notices, late charges, suspensions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be done; change nothing.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, dry_run: bool = False, batch_size: int = 500, **options: Any) -> None:
        with schema_context("public"):
            if dry_run:
                today = business_date()
                due = services.billing_run(dry_run=True).subscriptions_due
                unpaid = Invoice.objects.filter(due_q(as_of=today)).count()
                self.stdout.write(f"dry run: {due} subscription(s) to invoice, {unpaid} invoice(s) due and unpaid")
                for sub in Subscription.objects.filter(status=Subscription.Status.ACTIVE,
                                                       next_period_start__lte=today).order_by("pk")[:50]:
                    self.stdout.write(f"  would invoice {sub.buyer_name} from {sub.next_period_start}")
                return
            billing = services.billing_run(batch_size=batch_size)
            dunning = services.dunning_run()
            expired = services.quotes_expire()
            delivered = services.invoices_deliver(limit=100_000)
        self.stdout.write(
            f"invoices issued: {billing.invoices_issued}; reminders: {dunning.reminders}; "
            f"formal notices: {dunning.formal_notices}; late charges updated: {dunning.late_charged}; "
            f"tenants suspended: {', '.join(dunning.suspended) or 'none'}; quotes expired: {expired}; "
            f"invoices delivered: {delivered}"
        )
