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


@pytest.fixture(autouse=True)
def _clean_slate(request: pytest.FixtureRequest) -> None:
    """Tests in a rolled-back transaction start with no endpoint, event or key in demo and acme (the worker and
    browser tests commit theirs, and tenant-schema rows are not truncated after them)."""
    if "transactional_db" in request.fixturenames:
        return
    request.getfixturevalue("db")
    from django_tenants.utils import schema_context

    from integrations.models import ApiKey, WebhookEndpoint, WebhookEvent
    from tenants.models import Tenant

    for schema_name in Tenant.objects.filter(slug__in=["demo", "acme"]).values_list("schema_name", flat=True):
        with schema_context(schema_name):
            WebhookEvent.objects.all().delete()
            WebhookEndpoint.objects.all().delete()
            ApiKey.objects.all().delete()
