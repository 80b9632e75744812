"""What operators see of a running platform (issue 16 item 6): structured logs and Prometheus metrics.

- Every log record carries the request id and the tenant of the request it was written in
  (`RequestContextFilter`); `LOG_FORMAT=json` prints one JSON object per line (python-json-logger).
  The request id is the caller's `X-Request-ID` when it is a sane token (a proxy's), else a new one,
  and is sent back in the answer's `X-Request-ID` header.
- `METRICS_ENABLED=true` counts requests per tenant, method and status class with their duration, and
  Celery tasks' queue latency (published → started), run time and outcome; `GET /metrics` (platform
  host, `Authorization: Bearer METRICS_TOKEN` when that token is set) answers in Prometheus' text format
  with the queues' depth read from the broker at scrape time. Under gunicorn's several workers, set
  `PROMETHEUS_MULTIPROC_DIR` (an empty folder) so that the answer adds every worker's figures; a Celery
  worker serves its own on `METRICS_WORKER_PORT`.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

REQUEST_ID_HEADER = "X-Request-ID"


# --- Logs ---------------------------------------------------------------------------------------------


class RequestContextFilter(logging.Filter):
    """Adds `request_id` (`-` outside a request) and `tenant`: the tenant the database connection of
    this thread is on, so a Celery task (run in its tenant's schema) is labelled as well as a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.db import connection

        record.request_id = _request_id.get()
        record.tenant = _tenant_label(getattr(connection, "tenant", None)) if connection.settings_dict else "-"
        return True


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: plain lines for people, or one JSON object per line for a log pipeline."""
    name = "json" if log_format == "json" else "plain"
    formatters = {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(tenant)s %(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(tenant)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": "mooc_platform.observability.RequestContextFilter"}},
        # Only the one in use: python-json-logger is imported when JSON is asked for, not before.
        "formatters": {name: formatters[name]},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_context"],
                                 "formatter": name}},
        "root": {"handlers": ["console"], "level": level},
    }


# --- Metrics --------------------------------------------------------------------------------------------
# Created on first use only: a process with metrics off never imports prometheus_client.

_metrics: dict[str, Any] = {}


def metrics_enabled() -> bool:
    return bool(getattr(settings, "METRICS_ENABLED", False))


def _metric(name: str) -> Any:
    if not _metrics:
        from prometheus_client import Counter, Histogram

        _metrics.update({
            "requests": Counter("mooc_http_requests", "HTTP requests answered, per tenant.",
                                ["tenant", "method", "status"]),
            "request_seconds": Histogram("mooc_http_request_duration_seconds", "Time to answer, per tenant.",
                                         ["tenant"]),
            "task_latency": Histogram("mooc_celery_task_queue_latency_seconds",
                                      "Time from a task's publication to the start of its run.", ["task"],
                                      buckets=(0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600)),
            "task_seconds": Histogram("mooc_celery_task_duration_seconds", "Run time of a task.", ["task"]),
            "tasks": Counter("mooc_celery_tasks", "Tasks run, per outcome.", ["task", "state"]),
        })
    return _metrics[name]


class QueueDepthCollector:
    """The number of messages waiting in each Celery queue, asked of the broker at scrape time."""

    def collect(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily

        from .celery import app

        gauge = GaugeMetricFamily("mooc_celery_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"])
        names = sorted(app.amqp.queues.keys()) or [app.conf.task_default_queue]
        try:
            with app.connection_for_read() as connection:
                channel = connection.default_channel
                for name in names:
                    declared = channel.queue_declare(queue=name, passive=True)
                    gauge.add_metric([name], declared.message_count)
        except Exception:  # a broker that does not answer is reported by /healthz, not by a failed scrape
            logging.getLogger(__name__).warning("queue depth unavailable", exc_info=True)
        yield gauge


def metrics_text() -> tuple[bytes, str]:
    """Every figure of this process (or of every process sharing PROMETHEUS_MULTIPROC_DIR), as text."""
    import os

    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
    from prometheus_client import REGISTRY as process_registry

    _metric("requests")  # the families exist (at zero) before the first request is counted
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(process_registry)
    registry = CollectorRegistry()
    registry.register(QueueDepthCollector())
    return body + generate_latest(registry), CONTENT_TYPE_LATEST


def metrics_view(request: HttpRequest) -> HttpResponse:
    """`GET /metrics` on the platform host; 404 when metrics are off, 401 without the bearer token."""
    from django.http import Http404
    from django.utils.crypto import constant_time_compare

    if not metrics_enabled():
        raise Http404
    token = getattr(settings, "METRICS_TOKEN", "")
    if token and not constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    body, content_type = metrics_text()
    return HttpResponse(body, content_type=content_type)


# --- The middleware -----------------------------------------------------------------------------------


class RequestContextMiddleware:
    """First in the chain: the request id for the logs and the answer; after the answer, the metrics
    (the tenant is known by then: django-tenants' middleware set `request.tenant`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        asked = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = asked if _SANE_REQUEST_ID.match(asked) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset on the way out: Django logs a 4xx/5xx answer (django.request) after the middleware
        # chain returned; the next request on this thread sets its own.
        _request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        if metrics_enabled():
            tenant = _tenant_label(getattr(request, "tenant", None))
            _metric("requests").labels(tenant, request.method, f"{response.status_code // 100}xx").inc()
            _metric("request_seconds").labels(tenant).observe(time.perf_counter() - started)
        return response


def _tenant_label(tenant: Any) -> str:
    return getattr(tenant, "slug", None) or getattr(tenant, "schema_name", None) or "-"


# --- Celery -----------------------------------------------------------------------------------------------

PUBLISHED_AT_HEADER = "mooc_published_at"


def celery_signals_connect() -> None:
    """Task latency and run time, measured in the worker; the publication time travels in a header."""
    from celery.signals import before_task_publish, task_postrun, task_prerun, worker_ready

    @before_task_publish.connect(weak=False)
    def _stamp(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if headers is not None:
            headers[PUBLISHED_AT_HEADER] = time.time()

    @task_prerun.connect(weak=False)
    def _started(task: Any = None, **kwargs: Any) -> None:
        if task is None:
            return
        task.request.mooc_started = time.perf_counter()
        published = getattr(task.request, PUBLISHED_AT_HEADER, None)
        if published is None:
            published = (task.request.headers or {}).get(PUBLISHED_AT_HEADER) if task.request.headers else None
        if metrics_enabled() and published is not None:
            _metric("task_latency").labels(task.name).observe(max(0.0, time.time() - float(published)))

    @task_postrun.connect(weak=False)
    def _finished(task: Any = None, state: str | None = None, **kwargs: Any) -> None:
        started = getattr(getattr(task, "request", None), "mooc_started", None)
        if task is None or not metrics_enabled():
            return
        if started is not None:
            _metric("task_seconds").labels(task.name).observe(time.perf_counter() - started)
        _metric("tasks").labels(task.name, state or "UNKNOWN").inc()

    def _serve(**kwargs: Any) -> None:
        port = int(getattr(settings, "METRICS_WORKER_PORT", 0) or 0)
        if metrics_enabled() and port:
            import os

            from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

            registry = REGISTRY
            if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # prefork: the children's figures, from their files
                registry = CollectorRegistry()
                multiprocess.MultiProcessCollector(registry)
            registry.register(QueueDepthCollector())
            start_http_server(port, registry=registry)

    # Once per worker, in its main process.
    worker_ready.connect(_serve, weak=False)
