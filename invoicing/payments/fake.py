"""A fake payment provider on loopback, for tests and demos (never production: the settings refuse it there).

`GET /checkout?invoice=…&amount=…&currency=EUR&return=…&lang=fr|en` shows what is paid and a "Pay" button;
`POST /pay` does what a real provider does once the card is charged: it posts a notification signed with the
shared secret (HMAC-SHA256 of the raw body, `X-Signature: sha256=<hex>`) to our webhook, then sends the customer
back to the return URL. The invoice is marked paid by the webhook, never by the return.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

TEXTS = {
    "en": {"title": "Fake payment provider", "pay": "Pay {amount} {currency}", "back": "Cancel and go back",
           "what": "Invoice {invoice}: {amount} {currency}.", "note": "Test checkout: no card is charged.",
           "failed": "The payment could not be notified: {error}"},
    "fr": {"title": "Faux prestataire de paiement", "pay": "Payer {amount} {currency}",
           "back": "Annuler et revenir", "what": "Facture {invoice} : {amount} {currency}.",
           "note": "Paiement de test : aucune carte n’est débitée.",
           "failed": "Le paiement n’a pas pu être notifié : {error}"},
}


def notification_sign(*, body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class FakeCheckout(BaseHTTPRequestHandler):
    """Set `webhook_url` and `secret` on a subclass (`fake_provider_serve` does); `notified` keeps each
    notification sent with the webhook's status."""

    webhook_url: ClassVar[str] = ""
    secret: ClassVar[str] = ""
    notified: ClassVar[list[dict[str, Any]]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/checkout":
            self._answer(404, "Not found")
            return
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        texts = TEXTS.get(query.get("lang", "en"), TEXTS["en"])
        values = {key: html.escape(query.get(key, "")) for key in ("invoice", "amount", "currency", "return")}
        hidden = "".join(f'<input type="hidden" name="{key}" value="{value}">' for key, value in values.items())
        hidden += f'<input type="hidden" name="lang" value="{html.escape(query.get("lang", "en"))}">'
        self._answer(200, (
            f'<!doctype html><html lang="{html.escape(query.get("lang", "en"))}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{texts["title"]}</title>'
            f'</head><body><main><h1>{texts["title"]}</h1>'
            f'<p data-testid="checkout-what">{texts["what"].format(**values)}</p><p>{texts["note"]}</p>'
            f'<form method="post" action="/pay">{hidden}<button type="submit" data-testid="checkout-pay">'
            f'{texts["pay"].format(**values)}</button></form>'
            f'<p><a href="{values["return"]}">{texts["back"]}</a></p></main></body></html>'))

    def do_POST(self) -> None:
        if self.path != "/pay":
            self._answer(404, "Not found")
            return
        form = {key: values[0] for key, values in
                parse_qs(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()).items()}
        body = json.dumps({"reference": f"fake-{uuid.uuid4().hex}", "invoice_number": form.get("invoice", ""),
                           "amount": form.get("amount", ""), "currency": form.get("currency", "EUR")}).encode()
        request = urllib.request.Request(  # noqa: S310 — our own webhook URL, http(s) from the settings
            self.webhook_url, data=body, method="POST", headers={
                "Content-Type": "application/json", "X-Signature": notification_sign(body=body, secret=self.secret)})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — our own webhook URL
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            status = 0
            type(self).notified.append({"body": json.loads(body), "status": status, "error": str(error)})
            self._answer(502, TEXTS.get(form.get("lang", "en"), TEXTS["en"])["failed"].format(error=error))
            return
        type(self).notified.append({"body": json.loads(body), "status": status})
        if status != 200:
            texts = TEXTS.get(form.get("lang", "en"), TEXTS["en"])
            self._answer(502, texts["failed"].format(error=f"HTTP {status}"))
            return
        back = form.get("return", "")
        separator = "&" if "?" in back else "?"
        self.send_response(303)
        self.send_header("Location", f"{back}{separator}{urlencode({'payment': 'sent'})}")
        self.end_headers()

    def _answer(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def fake_provider_serve(*, webhook_url: str, secret: str, port: int = 0) -> Iterator[tuple[str, type[FakeCheckout]]]:
    """Serve the fake checkout on 127.0.0.1 (`port` 0: any free one) while the block runs; yields its base URL and
    the handler class (its `notified` list)."""
    handler = type("ConfiguredFakeCheckout", (FakeCheckout,), {"webhook_url": webhook_url, "secret": secret,
                                                               "notified": []})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
