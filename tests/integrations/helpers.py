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


# --- Identity providers of the SSO tests (issue 17 item 1), each a second process on loopback ----------------

SSO_DIR = __import__("pathlib").Path(__file__).resolve().parent
OIDC_CLIENT_ID = "mooc-platform"
OIDC_CLIENT_SECRET = "test-client-secret-0123456789"


@dataclass
class IdpProcess:
    """A test identity provider running as its own process (sso_oidc_provider.py or sso_saml_idp.py)."""

    script: str
    args: list[str] = field(default_factory=list)
    process: Any = None
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> IdpProcess:
        import subprocess
        import sys

        self.process = subprocess.Popen([sys.executable, str(SSO_DIR / self.script), *self.args],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert line.startswith("READY "), line
        self.port = int(line.split()[1])
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def admin(self, path: str, data: Any = None, *, raw: str | None = None) -> None:
        import requests

        if raw is not None:
            answer = requests.post(f"{self.base}/admin/{path}", data=raw.encode(), timeout=10,
                                   headers={"Content-Type": "application/xml"})
        else:
            answer = requests.post(f"{self.base}/admin/{path}", json=data, timeout=10)
        answer.raise_for_status()

    def reset(self) -> None:
        self.admin("mode", {"mode": "normal"})
        self.admin("users", {"users": []})


def form_fields(page: str) -> dict[str, str]:
    """The named inputs of an HTML page (hidden fields of a form), unescaped."""
    import html as html_module
    import re

    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name=["\']([^"\']+)["\']', tag)
        value = re.search(r'value=["\']([^"\']*)["\']', tag)
        if name:
            fields[html_module.unescape(name.group(1))] = html_module.unescape(value.group(1)) if value else ""
    return fields


def oidc_authorize(url: str, *, email: str, password: str) -> dict[str, str]:
    """Sign in on the test OIDC provider's page as a browser would: the query of its redirect back (code, state
    or error)."""
    from urllib.parse import parse_qs, urlsplit

    import requests

    page = requests.get(url, timeout=10)
    page.raise_for_status()
    fields = {**form_fields(page.text), "email": email, "password": password, "action": "allow"}
    answer = requests.post(url.split("?")[0], data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def saml_sign_in(url: str, *, email: str, password: str) -> str:
    """Sign in on the test SAML IdP's page as a browser would: the SAMLResponse it posts back."""
    import requests

    page = requests.get(url, timeout=10)
    page.raise_for_status()
    base = url.split("/sso/")[0]
    answer = requests.post(f"{base}/sso/login", data={**form_fields(page.text), "email": email,
                                                      "password": password}, timeout=10)
    answer.raise_for_status()
    return form_fields(answer.text)["SAMLResponse"]
@dataclass
class LrsRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass
class FakeLrs:
    """A Learning Record Store on 127.0.0.1 that records every request, refuses other credentials than
    `key`/`secret` (401, as an LRS does) and answers the statuses queued in `answers` (then 204)."""

    key: str = "lrs-key"
    secret: str = "lrs-secret"
    answers: deque[int] = field(default_factory=deque)
    received: list[LrsRequest] = field(default_factory=list)
    server: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"

    def stored(self) -> list[dict[str, Any]]:
        """The statements the LRS accepted, once each (by id), in order of arrival."""
        by_id: dict[str, Any] = {}
        for request in self.received:
            if request.method == "PUT" and request.headers.get("x-status") == "stored":
                by_id.setdefault(request.json()["id"], request.json())
        return list(by_id.values())

    def start(self) -> FakeLrs:
        import base64

        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}  # names are case-insensitive
                expected = "Basic " + base64.b64encode(f"{lrs.key}:{lrs.secret}".encode()).decode()
                if headers.get("authorization") != expected:
                    status, text = 401, "Unauthorized: bad credentials"
                else:
                    status = lrs.answers.popleft() if lrs.answers else 204
                    text = "" if status == 204 else "LRS overloaded"
                headers["x-status"] = "stored" if status == 204 else str(status)
                lrs.received.append(LrsRequest(method="PUT", path=self.path, headers=headers, body=body))
                payload = text.encode()
                self.send_response(status)
                self.send_header("X-Experience-API-Version", "1.0.3")
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
