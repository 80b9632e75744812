"""Helpers of the invoicing tests: Paris times, unique slugs, signing a quote, schema checks."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection

from invoicing import services
from invoicing.models import Quote

PARIS = ZoneInfo("Europe/Paris")
_slugs = itertools.count(1)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def unique_slug(prefix: str = "inv") -> str:
    """Unique across the session: tenant schemas are not flushed by transactional tests."""
    return f"{prefix}-{datetime.now().strftime('%H%M%S%f')}-{next(_slugs)}"


def sign(quote: Quote, **extra: object) -> services.SignResult:
    return services.quote_sign(token=quote.token, signer_name="Claire Martin", signer_title="Présidente",
                               signer_email="claire@tours.example", accept_terms=True, ip_address="203.0.113.7",
                               user_agent="pytest", **extra)


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [schema_name])
        return cursor.fetchone() is not None
