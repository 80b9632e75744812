"""`manage.py run_renewal_notices [--dry-run]`: the renewal notices due today, each sent once per term (SPEC R23)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from invoicing import services


class Command(BaseCommand):
    help = ("E-mail administrators the renewal of each subscription INVOICING_RENEWAL_NOTICE_DAYS days before its term "
            "ends (date, amount excl. tax, old and new prices), once per term.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the notices that would be sent; send nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        with schema_context("public"):
            result = services.renewal_notices_send_due(dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"dry run: {len(result.due)} renewal notice(s) to send")
            for subscription, terms in result.due:
                change = (f" (was {terms.previous_amount_excl_tax} EUR)" if terms.price_changes else "")
                self.stdout.write(f"  would notify {subscription.buyer_name}: renews on {terms.term_ends_on} for "
                                  f"{terms.amount_excl_tax} EUR excl. tax per period{change}")
            return
        self.stdout.write(f"renewal notices recorded: {result.created}; sent: {result.sent}")
