"""Business events of every app, handed to the sinks named in settings.EVENT_SINKS after the commit.

An app that changes something a customer's integration may want to hear about (a user created, an enrolment, an
invoice paid, a tenant suspended…) calls `event_emit`; it never imports the app that listens (the outgoing
webhooks of `integrations`), so the dependency graph of SPEC §2 stays one-way. Sinks run after the transaction
commits and never make the caller fail: an event that cannot be recorded is logged, the business change stays."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def _sinks() -> list[Callable[..., Any]]:
    return [import_string(path) for path in getattr(settings, "EVENT_SINKS", [])]


def event_emit(*, event_type: str, data: dict[str, Any], schema_name: str | None = None) -> None:
    """Hand `event_type` with its JSON-able `data` to every sink once the current transaction commits.
    `schema_name` is the tenant concerned (default: the current connection's schema)."""
    schema = schema_name or connection.schema_name
    if not schema or schema == getattr(settings, "PUBLIC_SCHEMA_NAME", "public"):
        return
    occurred_at = timezone.now()

    def deliver() -> None:
        for sink in _sinks():
            try:
                sink(schema_name=schema, event_type=event_type, data=data, occurred_at=occurred_at)
            except Exception:  # an integration's trouble never undoes nor fails the business change
                logger.exception("event %s of %s not handed to %s", event_type, schema, sink)

    transaction.on_commit(deliver)
