"""Fixtures of the integrations tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .helpers import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The delivery ids queued for the worker (no broker in tests without a worker)."""
    from integrations.services import webhooks

    ids: list[int] = []
    monkeypatch.setattr(webhooks, "_deliveries_queue",
                        lambda *, schema_name, delivery_ids, manual=False: ids.extend(delivery_ids))
    return ids
