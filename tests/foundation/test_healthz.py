"""/healthz reports database, broker and storage, and names the part that failed."""

import pytest
from django.test import Client, override_settings

from mooc_platform import storage


def test_healthz_is_ok_on_platform_and_tenant_hosts(platform_client: Client, demo_client: Client) -> None:
    for client in (platform_client, demo_client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": {"database": {"status": "ok"},
                                                              "broker": {"status": "ok"},
                                                              "storage": {"status": "ok"}}}


def test_healthz_reports_a_stopped_storage(demo_client: Client) -> None:
    from moto.server import ThreadedMotoServer

    stopped = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    stopped.start()
    host, port = stopped.get_host_and_port()
    stopped.stop()  # an S3 endpoint that was there and is now down
    with override_settings(AWS_S3_ENDPOINT_URL=f"http://{host}:{port}"):
        storage._client.cache_clear()
        response = demo_client.get("/healthz")
    storage._client.cache_clear()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["storage"]["status"] == "error"
    assert checks["database"] == {"status": "ok"} and checks["broker"] == {"status": "ok"}


def test_healthz_reports_a_stopped_broker(demo_client: Client) -> None:
    from mooc_platform.celery import app

    previous = app.conf.broker_write_url, app.conf.broker_transport_options
    app.conf.broker_write_url = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens on port 1
    app.conf.broker_transport_options = {}
    try:
        response = demo_client.get("/healthz")
    finally:
        app.conf.broker_write_url, app.conf.broker_transport_options = previous
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "error"
    assert response.json()["checks"]["storage"] == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_reports_a_stopped_database(demo_client: Client, monkeypatch) -> None:
    from mooc_platform import health

    def database_down() -> None:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", port=1, dbname="none", connect_timeout=1)

    monkeypatch.setitem(health.CHECKS, "database", database_down)
    response = demo_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "error"
    assert "OperationalError" in response.json()["checks"]["database"]["error"]
