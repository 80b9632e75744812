"""Tenant routing by host (SPEC R1, §4 hosts)."""

from django.test import Client

from tests.helpers import host_of


def test_platform_host_serves_the_platform_home(platform_client: Client) -> None:
    response = platform_client.get("/")
    assert response.status_code == 200
    assert b"Operator console" in response.content


def test_each_tenant_host_serves_its_own_organisation(demo, acme) -> None:
    demo_page = Client(HTTP_HOST=host_of(demo)).get("/")
    acme_page = Client(HTTP_HOST=host_of(acme)).get("/")
    assert demo_page.status_code == acme_page.status_code == 200
    assert b"Demo University" in demo_page.content and b"ACME" not in demo_page.content
    assert b"ACME Corporate Academy" in acme_page.content and b"Demo University" not in acme_page.content


def test_tenant_host_with_port_routes_to_the_tenant(demo) -> None:
    response = Client(HTTP_HOST=f"{host_of(demo)}:8000").get("/")
    assert response.status_code == 200
    assert b"Demo University" in response.content


def test_unknown_host_answers_a_404_page_not_a_500(db) -> None:
    response = Client(HTTP_HOST="nosuch.localhost").get("/")
    assert response.status_code == 404
    assert b"No organisation at this address" in response.content
    assert response["Content-Type"].startswith("text/html")


def test_host_outside_allowed_hosts_answers_404(db) -> None:
    response = Client(HTTP_HOST="evil.example.com").get("/")
    assert response.status_code == 404


def test_platform_pages_are_not_served_on_a_tenant_host(demo_client: Client) -> None:
    assert demo_client.get("/console/").status_code == 404


def test_openapi_schema_and_docs_on_every_host(platform_client: Client, demo_client: Client) -> None:
    for client in (platform_client, demo_client):
        schema = client.get("/api/schema/")
        assert schema.status_code == 200
        assert b"openapi: 3" in schema.content
        assert client.get("/api/docs/").status_code == 200


def test_each_host_documents_its_own_api(platform_client: Client, demo_client: Client) -> None:
    platform_schema = platform_client.get("/api/schema/").content
    tenant_schema = demo_client.get("/api/schema/").content
    assert b"/api/v1/quotes/" in platform_schema and b"\n  /api/v1/me/:\n" not in platform_schema
    assert b"/api/v1/me/" in tenant_schema and b"/api/v1/quotes/:" not in tenant_schema


def test_administrators_find_billing_and_their_data_timeline_in_the_menu(demo) -> None:
    from mooc_platform.demo import DEMO_PASSWORD

    admin, learner = Client(HTTP_HOST=host_of(demo)), Client(HTTP_HOST=host_of(demo))
    admin.post("/login/", {"username": "admin@demo.test", "password": DEMO_PASSWORD})
    learner.post("/login/", {"username": "learner1@demo.test", "password": DEMO_PASSWORD})
    assert b'href="/billing/"' in admin.get("/").content and b'href="/timeline/"' in admin.get("/").content
    assert b'href="/billing/"' not in learner.get("/").content


def test_host_lookup_is_cached_in_django_cache_and_cleared_by_tenant_cache_clear(demo, settings) -> None:
    """With TENANT_CACHE_SECONDS set, a second request to the same host looks no domain up; clearing
    the host cache (a state change) makes the next request look it up again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.routing import tenant_cache_clear

    settings.TENANT_CACHE_SECONDS = 30
    client = Client(HTTP_HOST=host_of(demo))

    def domain_lookups() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return sum('FROM "tenants_domain"' in q["sql"] for q in captured.captured_queries)

    assert domain_lookups() == 1
    assert domain_lookups() == 0
    tenant_cache_clear()
    assert domain_lookups() == 1
    assert domain_lookups() == 0


def test_a_request_on_another_tenant_switches_schema_in_the_version_round_trip(demo, acme, settings) -> None:
    """With the host cache on, a request on another tenant than the connection's previous one sends its
    `SET search_path` in the same round trip as the routing version (issue 16 item 3): no statement of its
    own, and the page and the connection are the new tenant's. A request on the same tenant sets nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TENANT_CACHE_SECONDS = 30
    clients = {demo: Client(HTTP_HOST=host_of(demo)), acme: Client(HTTP_HOST=host_of(acme))}
    for client in clients.values():  # fill the host cache
        assert client.get("/").status_code == 200
    names = {demo: b"Demo University", acme: b"ACME Corporate Academy"}
    for tenant, other in ((demo, acme), (acme, demo), (acme, demo)):
        previous = connection.schema_name
        with CaptureQueriesContext(connection) as captured:
            page = clients[tenant].get("/")
        statements = [q["sql"] for q in captured.captured_queries]
        assert names[tenant] in page.content and names[other] not in page.content
        alone = [sql for sql in statements if sql.startswith("SET search_path") and "tenants_routingversion" not in sql]
        assert alone == [], statements
        assert 'FROM "tenants_domain"' not in " ".join(statements)  # served from the host cache
        switch = [sql for sql in statements if "tenants_routingversion" in sql]
        assert len(switch) == 1
        assert switch[0].startswith(f'SET search_path = "{tenant.schema_name}","public"; ') == (
            previous != tenant.schema_name), (previous, switch)
        assert connection.schema_name == tenant.schema_name
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0] == f"{tenant.schema_name}, public"


def test_a_stale_cached_tenant_is_read_again_after_the_switch(demo, acme, settings) -> None:
    """An entry whose version is older than the committed one (a tenant or domain changed) is read again
    from the domain table even though the connection already switched to the entry's schema."""
    from django.core.cache import cache

    from tenants import routing

    settings.TENANT_CACHE_SECONDS = 30
    client = Client(HTTP_HOST=host_of(acme))
    assert client.get("/").status_code == 200
    key = routing._HOST_KEY.format(host_of(acme))
    generation, version, _tenant, verified = cache.get(key)
    # A forged entry: acme's host cached as demo's tenant under an older version.
    cache.set(key, (generation, version - 1, demo, verified), 30)
    page = client.get("/")
    assert b"ACME Corporate Academy" in page.content and b"Demo University" not in page.content
    assert cache.get(key)[2].schema_name == acme.schema_name and cache.get(key)[1] == version
