"""Helpers of the invoicing tests: Paris times, unique slugs, signing a quote, schema checks, a fake VIES."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from invoicing import services
from invoicing.models import Quote

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def unique_slug(prefix: str = "inv") -> str:
    """Unique across sessions: tenant schemas are not flushed by transactional tests and the test database is reused,
    and under a frozen clock a timestamp repeats from one session to the next."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def sign(quote: Quote, **extra: object) -> services.SignResult:
    return services.quote_sign(token=quote.token, signer_name="Claire Martin", signer_title="Présidente",
                               signer_email="claire@tours.example", accept_terms=True, ip_address="203.0.113.7",
                               user_agent="pytest", **extra)


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [schema_name])
        return cursor.fetchone() is not None


# --- A fake VIES (served on loopback by the `fake_vies` fixture) -----------------------------------

SLOW = "811907980"  # DE811907980: the fake VIES answers after 3 s
ANSWERS: dict[str, dict[str, Any]] = {
    "DE136695976": {"valid": True, "userError": "VALID", "name": "Beispiel & Söhne GmbH",
                    "address": "Hauptstraße 1\n10115 Berlin", "requestIdentifier": "WAPIAAAAZ1k2Xy0x"},
    "DE129273398": {"valid": False, "userError": "INVALID", "name": "---", "address": "---"},
    "ATU13585627": {"valid": False, "userError": "MS_UNAVAILABLE"},
    "IE6388047V": {"valid": True, "userError": "VALID", "name": "---", "address": "---",
                   "requestIdentifier": "WAPIAAAAZ9"},
}


class FakeVies(BaseHTTPRequestHandler):
    """The VIES REST API's `check-vat-number` (POST {countryCode, vatNumber}), answering from ANSWERS."""

    received: list[dict[str, str]] = []

    def do_POST(self) -> None:
        asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append(asked)
        if asked["vatNumber"] == SLOW:
            time.sleep(3)
        answer = ANSWERS.get(asked["countryCode"] + asked["vatNumber"])
        if answer is None:
            self.send_response(500)
            self.end_headers()
            return
        body = json.dumps({"countryCode": asked["countryCode"], "vatNumber": asked["vatNumber"],
                           "requestDate": "2026-04-01T09:00:00.000Z", **answer}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def subscription_rows_for(tenant: Any, *, anchor: Any = None) -> Any:
    """A signed quote and an active subscription for an existing tenant (the demo ones have none), without
    invoices: for suites that need the billing pages of a demo tenant to show their forms."""
    from datetime import date
    from decimal import Decimal

    from invoicing.models import Quote, QuoteLine, Subscription
    from mooc_platform.business_time import add_months
    from tests.factories import PlanFactory

    plan = PlanFactory(code=unique_slug("rows"))
    price = plan.prices.get()
    anchor = anchor or date(2026, 1, 15)
    quote = Quote.objects.create(
        plan_price=price, status=Quote.Status.SENT, token=unique_slug("token"), organisation_name=tenant.name,
        billing_address="1 rue de la Paix, 75002 Paris", country="FR", contact_name="Demo Buyer",
        contact_email=f"billing@{tenant.slug}.example", wished_slug=tenant.slug, billing_period=price.billing_period,
        seats=price.seats, storage_quota_bytes=price.storage_quota_bytes, valid_until=anchor, terms_version="rows")
    QuoteLine.objects.create(quote=quote, position=1, kind=QuoteLine.Kind.RECURRING, description="Subscription",
                             quantity=Decimal("1"), unit_price=Decimal("240.00"), amount=Decimal("240.00"))
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.SIGNED, signed_at=datetime(2026, 1, 15, tzinfo=PARIS))
    return Subscription.objects.create(
        tenant=tenant, quote=quote, plan=plan, billing_period=price.billing_period, seats=price.seats,
        anchor_date=anchor, initial_period_ends_on=add_months(anchor, 12), next_period_start=anchor,
        buyer_name=tenant.name, buyer_address=quote.billing_address, buyer_country="FR",
        buyer_email=quote.contact_email)
