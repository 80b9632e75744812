"""Fixtures of the integrations tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .helpers import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, FakeLrs, IdpProcess, Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def lrs() -> Iterator[FakeLrs]:
    server = FakeLrs().start()
    yield server
    server.stop()


@pytest.fixture
def statements_queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The xAPI statement ids queued for the worker (no broker in tests without a worker)."""
    from integrations.services import xapi

    ids: list[int] = []
    monkeypatch.setattr(xapi, "_statements_queue", lambda *, schema_name, statement_ids: ids.extend(statement_ids))
    return ids


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

    from integrations.models import (
        ApiKey,
        IdentityProvider,
        LrsConfig,
        SsoPolicy,
        WebhookEndpoint,
        WebhookEvent,
        XapiStatement,
    )
    from tenants.models import Tenant

    for schema_name in Tenant.objects.filter(slug__in=["demo", "acme"]).values_list("schema_name", flat=True):
        with schema_context(schema_name):
            WebhookEvent.objects.all().delete()
            WebhookEndpoint.objects.all().delete()
            ApiKey.objects.all().delete()
            IdentityProvider.objects.all().delete()
            SsoPolicy.objects.all().delete()
            LrsConfig.objects.all().delete()
            XapiStatement.objects.all().delete()


@pytest.fixture(scope="session")
def _oidc_process() -> Iterator[IdpProcess]:
    process = IdpProcess("sso_oidc_provider.py", ["--client-id", OIDC_CLIENT_ID, "--client-secret",
                                                  OIDC_CLIENT_SECRET]).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def _saml_process() -> Iterator[IdpProcess]:
    process = IdpProcess("sso_saml_idp.py").start()
    yield process
    process.stop()


@pytest.fixture
def oidc_provider(_oidc_process: IdpProcess) -> IdpProcess:
    """The test OpenID Connect provider (a second process on 127.0.0.1), with no user and behaving well."""
    _oidc_process.reset()
    return _oidc_process


@pytest.fixture
def saml_idp(_saml_process: IdpProcess) -> IdpProcess:
    """The test SAML IdP (pysaml2, a second process on 127.0.0.1), with no user and behaving well."""
    _saml_process.reset()
    return _saml_process
