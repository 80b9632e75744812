"""Business events of every app, handed to the sinks named in settings.EVENT_SINKS after the commit.

An app that changes something a customer's integration may want to hear about (a user created, an enrolment, an
invoice paid, a tenant suspended…) calls `event_emit`; it never imports the app that listens (the outgoing
webhooks of `integrations`), so the dependency graph of SPEC §2 stays one-way. Sinks run after the transaction
commits, once per transaction with every event it emitted (a billing run's 10,000 invoices are one call), and
never make the caller fail: an event that cannot be recorded is logged, the business change stays."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    schema_name: str
    event_type: str
    data: dict[str, Any]
    occurred_at: datetime


def _sinks() -> list[Callable[..., Any]]:
    return [import_string(path) for path in getattr(settings, "EVENT_SINKS", [])]


class _Batch:
    """The events of one transaction, handed over by its single on-commit callback."""

    def __init__(self, event: Event) -> None:
        self.events = [event]
        self.handed_over = False

    def __call__(self) -> None:
        self.handed_over = True
        for sink in _sinks():
            try:
                sink(events=self.events)
            except Exception:  # an integration's trouble never undoes nor fails the business change
                logger.exception("%s events not handed to %s", len(self.events), sink)


def event_emit(*, event_type: str, data: dict[str, Any], schema_name: str | None = None) -> None:
    """Hand `event_type` with its JSON-able `data` to every sink once the current transaction commits.
    `schema_name` is the tenant concerned (default: the current connection's schema)."""
    schema = schema_name or connection.schema_name
    if not schema or schema == getattr(settings, "PUBLIC_SCHEMA_NAME", "public"):
        return
    event = Event(schema_name=schema, event_type=event_type, data=data, occurred_at=timezone.now())
    batch = getattr(connection, "_mooc_event_batch", None)
    # Still registered in this transaction (a rolled-back savepoint drops its callbacks, and so the batch).
    registered = (batch is not None and not batch.handed_over
                  and any(entry[1] is batch for entry in connection.run_on_commit))
    if registered and connection.in_atomic_block:
        batch.events.append(event)
        return
    batch = _Batch(event)
    connection._mooc_event_batch = batch  # type: ignore[attr-defined]
    transaction.on_commit(batch)


def user_event_data(user: Any) -> dict[str, Any]:
    """The `user` object of the events about a person (the same shape in every event)."""
    return {"id": user.pk, "email": user.email, "full_name": user.full_name, "role": user.role}
