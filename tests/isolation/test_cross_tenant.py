"""Isolation (SPEC §5): every tenant API endpoint × the other tenant's hosts, tokens and ids → 0 leaks.

Routes are read from the tenant urlconf, so an endpoint added later is covered without editing this
file. "Leak" means a response on acme's host that carries any of demo's data, or a demo token that
works anywhere but on demo's host."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.accounts.tokens import token_issue
from tests.helpers import api_client
from tests.routes import PARAM, TENANT_URLCONF, routes

# Strings that exist only in demo's schema or identify demo: none may appear in an answer on acme.
DEMO_MARKERS = ("@demo.test", "Demo University", "Introduction to Data Science", "intro-data-science", "t_demo")


TENANT_API_ROUTES = [r for r in routes(TENANT_URLCONF) if r.startswith("/api/v1/") and r != "/api/v1/auth/token/"]


def _fill(route: str, value: str) -> str:
    return PARAM.sub(lambda m: value, route)


def _token(schema_name: str, email: str) -> str:
    with schema_context(schema_name):
        return token_issue(user=User.objects.get(email=email))[1]


@pytest.fixture
def demo_admin_token(demo) -> str:
    return _token(demo.schema_name, "admin@demo.test")


@pytest.fixture
def acme_admin_token(acme) -> str:
    return _token(acme.schema_name, "admin@acme.test")


def _demo_ids(demo_admin_token: str) -> set[str]:
    """Every id demo's administrator can see through demo's list endpoints (plus small integers)."""
    ids = {"1", "2", "3"}
    client = api_client("demo.localhost", demo_admin_token)
    for route in TENANT_API_ROUTES:
        if PARAM.search(route):
            continue
        response = client.get(route)
        if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
            continue
        body = response.json()
        rows = body.get("results", body) if isinstance(body, dict) else body
        for row in rows if isinstance(rows, list) else []:
            for key in ("id", "uuid", "code", "token", "slug"):
                if isinstance(row, dict) and row.get(key) is not None:
                    ids.add(str(row[key]))
    return ids


def test_the_isolation_suite_sees_the_tenant_api() -> None:
    assert "/api/v1/me/" in TENANT_API_ROUTES
    assert "/api/v1/courses/" in TENANT_API_ROUTES


@pytest.mark.parametrize("route", TENANT_API_ROUTES)
def test_a_demo_token_is_refused_on_acmes_host(route: str, demo_admin_token: str) -> None:
    client = api_client("acme.localhost", demo_admin_token)
    for path in {_fill(route, "1"), _fill(route, "demo")}:
        for method in ("get", "post", "put", "patch", "delete"):
            response = getattr(client, method)(path, {}, format="json")
            assert response.status_code in (401, 404, 405), (method, path, response.status_code)
            assert not any(marker in response.content.decode() for marker in DEMO_MARKERS), (method, path)


@pytest.mark.parametrize("route", TENANT_API_ROUTES)
def test_demo_ids_on_acmes_host_never_reveal_demo_data(route: str, demo_admin_token: str,
                                                       acme_admin_token: str) -> None:
    client = api_client("acme.localhost", acme_admin_token)
    values = _demo_ids(demo_admin_token) if PARAM.search(route) else {""}
    for value in values:
        path = _fill(route, value)
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        leaked = [marker for marker in DEMO_MARKERS if marker in response.content.decode(errors="replace")]
        assert not leaked, (path, leaked)


@pytest.mark.parametrize("route", TENANT_API_ROUTES)
def test_a_tenant_token_is_refused_on_the_platform_host(route: str, demo_admin_token: str) -> None:
    response = api_client("localhost", demo_admin_token).get(_fill(route, "1"))
    assert response.status_code in (401, 404), (route, response.status_code)


@pytest.mark.parametrize("route", TENANT_API_ROUTES)
def test_an_operator_token_opens_no_tenant_content(route: str, demo) -> None:
    """Operators see no tenant content through the tenant API (SPEC R19: only under a support grant)."""
    operator_token = token_issue(user=User.objects.get(email="operator@demo.test"))[1]
    response = api_client("demo.localhost", operator_token).get(_fill(route, "1"))
    assert response.status_code in (401, 404), (route, response.status_code)
