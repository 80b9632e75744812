"""Helpers of the integrations tests: a webhook receiver on loopback that records what it gets."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server thread on 127.0.0.1 answering the statuses queued in `answers` (then 200)."""

    answers: deque[tuple[int, str]] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mooc"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(headers=dict(self.headers.items()), body=body))
                status, text = receiver.answers.popleft() if receiver.answers else (200, "ok")
                payload = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def signature_valid(*, secret: str, received: Received, now: float, tolerance: int = 300) -> bool:
    """The receiver's side of the recipe the API documents: recompute, compare in constant time, check the age."""
    timestamp = received.headers["Webhook-Timestamp"]
    expected = "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body,
                                hashlib.sha256).hexdigest()
    return (hmac.compare_digest(expected, received.headers["Webhook-Signature"])
            and abs(now - int(timestamp)) <= tolerance)
