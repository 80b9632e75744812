"""Fixtures of the invoicing tests: a price list, quotes sent to prospects, a signed subscription.
Rows come from tests/factories.py, helpers from tests/invoicing/helpers.py (old names re-exported here)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import ThreadingHTTPServer

import pytest
import time_machine

from invoicing.models import Plan, Quote
from tests.factories import PlanFactory, QuoteFactory
from tests.invoicing.helpers import PARIS, FakeVies, paris, schema_exists, sign, unique_slug

__all__ = ["PARIS", "paris", "schema_exists", "sign", "unique_slug"]

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
    return PlanFactory(code=unique_slug("plan"))


@pytest.fixture
def quote_sent(plan: Plan) -> Callable[..., Quote]:
    def make(*, country: str = "FR", vat_number: str = "", slug: str | None = None, plan_: Plan | None = None,
             **extra: object) -> Quote:
        return QuoteFactory(plan=plan_ or plan, country=country, vat_number=vat_number,
                            contact_email=f"claire@{slug or 'tours'}.example", wished_slug=slug or unique_slug("tours"),
                            **extra)
    return make


@pytest.fixture
def plan_committed(transactional_db: None) -> Plan:
    return PlanFactory(code=unique_slug("plan"))


@pytest.fixture(autouse=True)
def _throttle_history_cleared() -> Iterator[None]:
    """Login throttling keeps timestamps in the cache; a test that moves the clock back would otherwise
    find every later token request throttled."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake_vies(settings) -> Iterator[list[dict[str, str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeVies)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeVies.received = []
    settings.INVOICING_VIES_CHECK = True
    settings.INVOICING_VIES_URL = f"http://127.0.0.1:{server.server_address[1]}/rest-api/check-vat-number"
    settings.INVOICING_VIES_TIMEOUT_SECONDS = 0.5
    yield FakeVies.received
    server.shutdown()
    server.server_close()
