"""Issue 16 item 6: logs that name their tenant and request, and Prometheus metrics switched on by settings."""

from __future__ import annotations

import io
import json
import logging.config
import re

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from mooc_platform.celery import app as celery_app
from mooc_platform.observability import logging_config
from mooc_platform.tasks import worker_ping
from tests.helpers import host_of


@pytest.fixture
def json_log() -> io.StringIO:
    """The project's LOGGING with LOG_FORMAT=json, written to a buffer; the test settings' after."""
    buffer = io.StringIO()
    config = logging_config(log_format="json", level="INFO")
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer
    logging.config.dictConfig(settings.LOGGING)


def _records(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_a_json_log_line_names_the_tenant_and_the_request_id_the_answer_carries(json_log, demo) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-id-12345678")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "proxy-id-12345678"
    [record] = [r for r in _records(json_log) if r["logger"] == "django.request"]
    assert record["tenant"] == "demo"
    assert record["request_id"] == "proxy-id-12345678"
    assert record["level"] == "WARNING"
    assert "/no-such-page/" in record["message"]


def test_a_request_id_that_is_not_a_sane_token_is_replaced(json_log, demo) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="a b\nforged line")

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    [record] = [r for r in _records(json_log) if r["logger"] == "django.request"]
    assert record["request_id"] == response["X-Request-ID"]
    assert "forged" not in json_log.getvalue()


def test_records_outside_a_request_say_so(json_log) -> None:
    logging.getLogger("mooc.test").info("between requests")
    [record] = [r for r in _records(json_log) if r["logger"] == "mooc.test"]
    assert record["tenant"] == "public"
    assert record["message"] == "between requests"


# --- Metrics ----------------------------------------------------------------------------------------


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of Prometheus' text format (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[len(name):line.index("}") + 1]))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _scrape(**headers: str) -> str:
    response = Client(HTTP_HOST="localhost").get("/metrics", **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_metrics_are_off_unless_switched_on(db) -> None:
    assert Client(HTTP_HOST="localhost").get("/metrics").status_code == 404


@override_settings(METRICS_ENABLED=True, METRICS_TOKEN="")
def test_requests_are_counted_per_tenant_with_their_duration(demo, acme) -> None:
    before = _scrape()
    for _ in range(3):
        Client(HTTP_HOST=host_of(demo)).get("/login/")
    Client(HTTP_HOST=host_of(acme)).get("/no-such-page/")
    after = _scrape()

    def grew(name: str, **labels: str) -> float:
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    assert grew("mooc_http_requests_total", tenant="demo", method="GET", status="2xx") == 3
    assert grew("mooc_http_requests_total", tenant="acme", method="GET", status="4xx") == 1
    assert grew("mooc_http_requests_total", tenant="acme", method="GET", status="2xx") == 0
    assert grew("mooc_http_request_duration_seconds_count", tenant="demo") == 3


@override_settings(METRICS_ENABLED=True, METRICS_TOKEN="s3cret-scrape-token")
def test_a_metrics_token_keeps_strangers_out(db) -> None:
    client = Client(HTTP_HOST="localhost")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert "mooc_http_requests_total" in _scrape(HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")


@override_settings(METRICS_ENABLED=True, METRICS_TOKEN="")
def test_queue_depth_is_read_from_the_broker(db) -> None:
    queue = "metrics-probe"
    celery_app.send_task("mooc_platform.worker_ping", queue=queue)
    celery_app.send_task("mooc_platform.worker_ping", queue=queue)
    try:
        text = _scrape()
        assert _sample(text, "mooc_celery_queue_depth", queue=queue) == 2
        assert 'mooc_celery_queue_depth{queue="celery"}' in text
    finally:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)


@override_settings(METRICS_ENABLED=True, METRICS_TOKEN="")
def test_a_task_run_by_the_worker_reports_its_latency_and_run_time(transactional_db, demo,
                                                                    celery_worker_session) -> None:
    before = _scrape()
    with schema_context(demo.schema_name):
        assert worker_ping.delay().get(timeout=20) == {"schema": demo.schema_name}
    after = _scrape()
    task = "mooc_platform.worker_ping"
    for name in ("mooc_celery_task_queue_latency_seconds_count", "mooc_celery_task_duration_seconds_count"):
        assert _sample(after, name, task=task) - _sample(before, name, task=task) == 1, name
    assert _sample(after, "mooc_celery_tasks_total", task=task, state="SUCCESS") - _sample(
        before, "mooc_celery_tasks_total", task=task, state="SUCCESS") == 1
