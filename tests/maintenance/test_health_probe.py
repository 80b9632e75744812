"""The optional health probe (SPEC R26): beat probes /healthz every minute; after N failures in a row an incident
opens for all organisations from the first failure, and the next success closes it. Probed over real HTTP (a
server in a thread that answers what the test says)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from maintenance.models import Incident
from maintenance.services import health_probe_run
from tenants.models import AuditEvent
from tests.maintenance.helpers import paris


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}' if type(self).status == 200 else b'{"status": "error"}')

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def health_server() -> Iterator[tuple[str, type[_Health]]]:
    handler = type("Health", (_Health,), {"status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/healthz", handler
    server.shutdown()
    server.server_close()


def test_three_failures_open_an_incident_and_a_success_closes_it(db, health_server, clock) -> None:
    url, handler = health_server
    with override_settings(MAINTENANCE_HEALTH_PROBE_URL=url, MAINTENANCE_HEALTH_PROBE_FAILURES=3):
        clock(paris(2027, 3, 3, 10))
        assert health_probe_run() == "ok"
        handler.status = 503
        clock(paris(2027, 3, 3, 10, 1))
        assert health_probe_run() == "failure 1/3"
        clock(paris(2027, 3, 3, 10, 2))
        assert health_probe_run() == "failure 2/3"
        assert not Incident.objects.exists()
        clock(paris(2027, 3, 3, 10, 3))
        assert health_probe_run() == "incident opened"
        incident = Incident.objects.get()
        assert (incident.start, incident.end, incident.scope) == (paris(2027, 3, 3, 10, 1), None, "all")
        assert "HTTP 503" in incident.summary_en
        clock(paris(2027, 3, 3, 10, 4))
        assert health_probe_run() == "failure 4/3"
        assert Incident.objects.count() == 1  # one incident per outage
        handler.status = 200
        clock(paris(2027, 3, 3, 10, 5))
        assert health_probe_run() == "incident closed"
        assert Incident.objects.get().end == paris(2027, 3, 3, 10, 5)
        assert AuditEvent.objects.filter(action__startswith="incident.").count() == 2
        clock(paris(2027, 3, 3, 10, 6))
        assert health_probe_run() == "ok"


def test_a_refused_connection_is_a_failure_and_no_url_is_off(db, clock) -> None:
    clock(paris(2027, 3, 3, 10))
    assert health_probe_run() == "off"
    with override_settings(MAINTENANCE_HEALTH_PROBE_URL="http://127.0.0.1:9/healthz",
                           MAINTENANCE_HEALTH_PROBE_FAILURES=1):
        assert health_probe_run() == "incident opened"
        assert "Connection refused" in Incident.objects.get().summary_en
