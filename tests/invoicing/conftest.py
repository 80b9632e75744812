"""Fixtures of the invoicing tests: a price list, quotes sent to prospects, a signed subscription."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from invoicing import services
from invoicing.models import BillingPeriod, Plan, Quote

PARIS = ZoneInfo("Europe/Paris")
_slugs = itertools.count(1)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def unique_slug(prefix: str = "inv") -> str:
    """Unique across the session: tenant schemas are not flushed by transactional tests."""
    return f"{prefix}-{datetime.now().strftime('%H%M%S%f')}-{next(_slugs)}"


@pytest.fixture
def clock() -> Iterator[Callable[[datetime], None]]:
    """`clock(paris(2026, 1, 15, 9))` moves the frozen clock there."""
    traveller: list = []

    def move(when: datetime) -> None:
        if traveller:
            traveller.pop().stop()
        t = time_machine.travel(when, tick=False)
        t.start()
        traveller.append(t)

    yield move
    if traveller:
        traveller.pop().stop()


@pytest.fixture
def plan(db: None) -> Plan:
    """Monthly: EUR 100.00 flat + 50 seats × EUR 2.80 = EUR 240.00 excl. tax per month."""
    return services.plan_create(code=unique_slug("plan"), name="Essential", billing_period=BillingPeriod.MONTHLY,
                                flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50,
                                now=paris(2020, 1, 1))


@pytest.fixture
def quote_sent(plan: Plan) -> Callable[..., Quote]:
    def make(*, country: str = "FR", vat_number: str = "", slug: str | None = None, plan_: Plan | None = None,
             **extra: object) -> Quote:
        quote = services.quote_create(
            plan=plan_ or plan, organisation_name="Université de Tours",
            billing_address="60 rue du Plat d'Étain\n37000 Tours",
            country=country, vat_number=vat_number, contact_name="Claire Martin",
            contact_email=f"claire@{slug or 'tours'}.example", wished_slug=slug or unique_slug("tours"), **extra)
        return services.quote_send(quote=quote, signing_base_url="http://localhost:8000")
    return make


def sign(quote: Quote, **extra: object) -> services.SignResult:
    return services.quote_sign(token=quote.token, signer_name="Claire Martin", signer_title="Présidente",
                               signer_email="claire@tours.example", accept_terms=True, ip_address="203.0.113.7",
                               user_agent="pytest", **extra)


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [schema_name])
        return cursor.fetchone() is not None


@pytest.fixture
def plan_committed(transactional_db: None) -> Plan:
    return services.plan_create(code=unique_slug("plan"), name="Essential", billing_period=BillingPeriod.MONTHLY,
                                flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50,
                                now=paris(2020, 1, 1))


@pytest.fixture(autouse=True)
def _throttle_history_cleared() -> Iterator[None]:
    """Login throttling keeps timestamps in the cache; a test that moves the clock back would otherwise
    find every later token request throttled."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
