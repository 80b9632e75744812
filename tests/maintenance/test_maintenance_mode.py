"""SPEC R18: during a window, affected tenants answer 503 with Retry-After and a maintenance page (JSON
on the API); unaffected tenants, the platform host (operators) and /healthz keep working. The banner
shows on every page of an affected tenant from the announcement to the end."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.test import Client

from tests.factories import MaintenanceWindowFactory
from tests.helpers import api_client, api_token, console_client, host_of
from tests.maintenance.helpers import MARCH_SAT_NOON, OCTOBER_SAT_NOON


def test_affected_tenant_answers_503_with_retry_after_and_a_maintenance_page(demo, clock) -> None:
    MaintenanceWindowFactory(start=OCTOBER_SAT_NOON, hours=24, tenants=[demo])
    clock(OCTOBER_SAT_NOON + timedelta(hours=1))
    response = Client(HTTP_HOST=host_of(demo)).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(23 * 3600)  # 24 h of real time over the fall-back night
    assert response["Content-Type"].startswith("text/html")
    assert b'data-testid="maintenance-page"' in response.content
    assert b"Maintenance in progress" in response.content and b"Database upgrade." in response.content
    assert b"Sunday 31 October 2027, 11:00 CET" in response.content


def test_every_page_of_the_tenant_is_closed_including_login(demo, clock) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    clock(MARCH_SAT_NOON)
    client = Client(HTTP_HOST=host_of(demo))
    for path in ("/", "/login/", "/api/docs/", "/no-such-page/"):
        assert client.get(path).status_code == 503, path
    assert client.post("/login/", {"username": "admin@demo.test", "password": "x"}).status_code == 503


def test_french_tenant_gets_the_french_maintenance_page(demo, clock) -> None:
    demo.language = "fr"
    demo.save(update_fields=["language"])
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    clock(MARCH_SAT_NOON + timedelta(minutes=30))
    response = Client(HTTP_HOST=host_of(demo)).get("/")
    assert response.status_code == 503
    content = response.content.decode()
    assert "Maintenance en cours" in content and "Mise à jour de la base de données." in content
    assert "samedi 27 mars 2027 à 18:00 CET" in content
    assert response["Retry-After"] == str(5 * 3600 + 30 * 60)


def test_api_answers_the_json_error_during_the_window(demo, clock) -> None:
    token = api_token(host_of(demo), "learner1@demo.test")
    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    clock(MARCH_SAT_NOON + timedelta(hours=5, minutes=59, seconds=30))
    response = api_client(host_of(demo), token).get("/api/v1/me/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["error"]["code"] == "maintenance_in_progress"
    assert body["error"]["message"] == "Database upgrade."
    assert body["error"]["details"] == {"window_id": window.id, "start": "2027-03-27T11:00:00+00:00",
                                        "end": "2027-03-27T17:00:00+00:00", "retry_after": 30}


def test_unaffected_tenant_keeps_working(demo, acme, clock) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    clock(MARCH_SAT_NOON + timedelta(hours=1))
    assert Client(HTTP_HOST=host_of(demo)).get("/").status_code == 503
    response = Client(HTTP_HOST=host_of(acme)).get("/")
    assert response.status_code == 200
    assert b"maintenance-banner" not in response.content
    token = api_token(host_of(acme), "learner1@acme.test")
    assert api_client(host_of(acme), token).get("/api/v1/me/").status_code == 200


def test_window_for_all_tenants_closes_every_tenant(demo, acme, clock) -> None:
    MaintenanceWindowFactory(start=OCTOBER_SAT_NOON)
    clock(OCTOBER_SAT_NOON)
    assert Client(HTTP_HOST=host_of(demo)).get("/").status_code == 503
    assert Client(HTTP_HOST=host_of(acme)).get("/").status_code == 503


def test_healthz_and_the_platform_host_pass_through(demo, operator, clock) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON)
    clock(MARCH_SAT_NOON + timedelta(hours=1))
    health = Client(HTTP_HOST=host_of(demo)).get("/healthz")
    assert "Retry-After" not in health
    assert "checks" in health.json()
    operator_token = api_token("localhost", "operator@demo.test")
    listing = api_client("localhost", operator_token).get("/api/v1/maintenance-windows/")
    assert listing.status_code == 200 and listing.json()["count"] == 1
    assert Client(HTTP_HOST="localhost").get("/status/").status_code == 200
    console = console_client(operator.email)
    assert console.get("/console/maintenance/maintenancewindow/").status_code == 200


def test_before_and_after_the_window_the_tenant_works(demo, clock) -> None:
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    client = Client(HTTP_HOST=host_of(demo))
    clock(MARCH_SAT_NOON - timedelta(seconds=1))
    assert client.get("/").status_code == 200
    clock(MARCH_SAT_NOON)
    assert client.get("/").status_code == 503
    clock(MARCH_SAT_NOON + timedelta(hours=6))
    assert client.get("/").status_code == 200


def test_cancelled_window_closes_nothing(demo, operator, clock) -> None:
    from maintenance.services import maintenance_window_cancel

    window = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    maintenance_window_cancel(window=window, actor=operator, now=MARCH_SAT_NOON - timedelta(days=1))
    clock(MARCH_SAT_NOON + timedelta(hours=1))
    assert Client(HTTP_HOST=host_of(demo)).get("/").status_code == 200


def test_banner_shows_from_announcement_to_the_end_on_affected_tenants_only(demo, acme, clock) -> None:
    clock(MARCH_SAT_NOON - timedelta(days=3))
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], now=None)
    demo_page = Client(HTTP_HOST=host_of(demo)).get("/login/")
    assert demo_page.status_code == 200
    content = demo_page.content.decode()
    assert 'data-testid="maintenance-banner"' in content
    assert "Scheduled maintenance" in content
    assert "from Saturday 27 March 2027, 12:00 CET to Saturday 27 March 2027, 18:00 CET." in content
    assert "Database upgrade." in content
    assert b"maintenance-banner" not in Client(HTTP_HOST=host_of(acme)).get("/").content
    assert b"maintenance-banner" not in Client(HTTP_HOST="localhost").get("/").content
    clock(MARCH_SAT_NOON + timedelta(hours=6))
    assert b"maintenance-banner" not in Client(HTTP_HOST=host_of(demo)).get("/").content


def test_banner_is_in_french_for_a_french_reader(demo, clock) -> None:
    clock(MARCH_SAT_NOON - timedelta(days=3))
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], now=None)
    client = Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # a visitor who chose French on the English demo
    assert "Mise à jour de la base de données." in client.get("/").content.decode()


def test_snapshot_cache_still_starts_the_window_on_time(demo, clock, settings) -> None:
    settings.MAINTENANCE_CACHE_SECONDS = 60
    MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo])
    client = Client(HTTP_HOST=host_of(demo))
    clock(MARCH_SAT_NOON - timedelta(minutes=1))
    assert client.get("/").status_code == 200  # snapshot taken here, window not in force yet
    clock(MARCH_SAT_NOON)
    assert client.get("/").status_code == 503


def test_queries_per_tenant_request_do_not_grow_with_the_number_of_windows(demo, acme, clock) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host_of(demo))
    MaintenanceWindowFactory(start=OCTOBER_SAT_NOON, tenants=[demo])
    clock(MARCH_SAT_NOON - timedelta(days=10))
    with CaptureQueriesContext(connection) as one:
        assert client.get("/").status_code == 200
    for weeks in range(1, 6):
        MaintenanceWindowFactory(start=OCTOBER_SAT_NOON - timedelta(weeks=weeks), tenants=[demo, acme])
    with CaptureQueriesContext(connection) as six:
        assert client.get("/").status_code == 200
    def ours(captured: CaptureQueriesContext) -> int:
        return sum("maintenance_" in q["sql"] for q in captured.captured_queries)

    # the snapshot (windows + their tenants), read once by the middleware and reused by the banner
    assert ours(one) == ours(six) == 2
