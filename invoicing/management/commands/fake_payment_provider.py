"""`manage.py fake_payment_provider --port 8001`: the demo checkout of `invoicing.payments.fake` on loopback.
Run the platform with `INVOICING_PAYMENT_PROVIDER=fake`, `INVOICING_PAYMENT_PROVIDER_URL=http://127.0.0.1:8001`
and an `INVOICING_WEBHOOK_SECRET`; the billing page then shows "pay online" links. Refused when DEBUG is off."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoicing.payments.fake import fake_provider_serve


class Command(BaseCommand):
    help = "Serve the fake payment provider's checkout on 127.0.0.1 (demos only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--webhook-url", default="",
                            help="Default: http://<PLATFORM_DOMAIN>:8000/api/v1/payment-webhooks/provider/")

    def handle(self, *args: Any, port: int, webhook_url: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("The fake payment provider is for demos: DEBUG must be on.")
        if not settings.INVOICING_WEBHOOK_SECRET:
            raise CommandError("Set INVOICING_WEBHOOK_SECRET: the fake provider signs its notifications with it.")
        webhook_url = webhook_url or f"http://{settings.PLATFORM_DOMAIN}:8000/api/v1/payment-webhooks/provider/"
        with fake_provider_serve(webhook_url=webhook_url, secret=settings.INVOICING_WEBHOOK_SECRET,
                                 port=port) as (base_url, _handler):
            self.stdout.write(f"Fake payment provider at {base_url}/checkout, notifying {webhook_url}")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
