"""A SAML 2.0 identity provider the SSO tests start as a second process on 127.0.0.1 (issue 17 item 1): pysaml2's
IdP (`saml2.server.Server`), with its own key and self-signed certificate made at start.

It publishes its metadata (/metadata), receives the AuthnRequest by HTTP-Redirect (/sso/redirect), shows a
sign-in form (e-mail and password of the users the test registers), and answers with a signed Response by
HTTP-POST (the auto-submitting form of the binding). The test steers it through /admin/…: the SP's metadata
(which the platform serves), its users, and a mode (`wrong_key`: the assertion is signed by a key that is not in
the IdP's metadata).

    python sso_saml_idp.py   # prints "READY <port>"
"""

from __future__ import annotations

import datetime
import html
import json
import secrets
import shutil
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

AUTHN_PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def _key_pair(folder: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"test idp {name}")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650)).sign(key, hashes.SHA256()))
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


class Idp:
    def __init__(self, base: str, folder: Path) -> None:
        self.base = base
        self.key = _key_pair(folder, "idp")
        self.rogue_key = _key_pair(folder, "rogue")
        self.sp_metadata: list[str] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.pending: dict[str, dict[str, Any]] = {}
        self.mode = "normal"
        self.lock = threading.Lock()

    def config(self, *, rogue: bool = False) -> IdPConfig:
        key_file, cert_file = self.rogue_key if rogue else self.key
        conf: dict[str, Any] = {
            "entityid": f"{self.base}/metadata",
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": key_file, "cert_file": cert_file,
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                       "name_form": NAME_FORMAT_BASIC}},
            }},
        }
        if self.sp_metadata:
            conf["metadata"] = {"inline": list(self.sp_metadata)}
        config = IdPConfig()
        config.load(conf)
        return config

    def server(self, *, rogue: bool = False) -> Server:
        return Server(config=self.config(rogue=rogue))

    def metadata(self) -> str:
        return str(entity_descriptor(self.config()))


def _page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<meta name='viewport' content='width=device-width'></head><body>"
            f"<h1>{html.escape(title)}</h1>{body}</body></html>").encode()


def make_handler(idp: Idp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _form(self) -> dict[str, Any]:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                return json.loads(raw or "{}")
            if self.path.startswith("/admin/sp"):
                return {"xml": raw}
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/metadata":
                return self._send(200, idp.metadata().encode(), "application/samlmetadata+xml")
            if parts.path == "/sso/redirect":
                try:
                    request = idp.server().parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
                    args = idp.server().response_args(request.message, [BINDING_HTTP_POST])
                except Exception as error:  # an unknown SP, a broken request
                    return self._send(400, _page("Bad SAML request", f"<p>{html.escape(str(error))}</p>"))
                key = secrets.token_urlsafe(16)
                with idp.lock:
                    idp.pending[key] = {"args": args, "relay_state": query.get("RelayState", "")}
                return self._login_form(key, error="")
            return self._send(404, b"not found", "text/plain")

        def _login_form(self, key: str, *, error: str) -> None:
            body = (f"{f'<p role=alert>{html.escape(error)}</p>' if error else ''}"
                    "<form method='post' action='/sso/login'>"
                    f"<input type='hidden' name='key' value='{html.escape(key)}'>"
                    "<p><label for='email'>IdP e-mail</label> <input id='email' name='email' type='email'></p>"
                    "<p><label for='password'>IdP password</label> <input id='password' name='password' "
                    "type='password'></p><p><button type='submit'>Continue</button></p></form>")
            self._send(200, _page("Test SAML IdP", body))

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            form = self._form()
            if parts.path == "/admin/sp":
                idp.sp_metadata = [form["xml"]]
                return self._send(200, b"{}", "application/json")
            if parts.path == "/admin/users":
                idp.users = {u["email"]: u for u in form["users"]}
                return self._send(200, b"{}", "application/json")
            if parts.path == "/admin/mode":
                idp.mode = form["mode"]
                return self._send(200, b"{}", "application/json")
            if parts.path == "/sso/login":
                return self._login(form)
            return self._send(404, b"not found", "text/plain")

        def _login(self, form: dict[str, str]) -> None:
            key = form.get("key", "")
            pending = idp.pending.get(key)
            if pending is None:
                return self._send(400, _page("Expired", "<p>Start again.</p>"))
            user = idp.users.get(form.get("email", "").lower())
            if user is None or not secrets.compare_digest(user.get("password", ""), form.get("password", "")):
                return self._login_form(key, error="Wrong e-mail or password.")
            idp.pending.pop(key, None)
            identity = {"mail": [user["email"]], "displayName": [user.get("name", "")],
                        "eduPersonAffiliation": list(user.get("affiliations", []))}
            server = idp.server(rogue=idp.mode == "wrong_key")
            args = dict(pending["args"])
            args.pop("binding", None)
            response = server.create_authn_response(
                identity, userid=user["email"], name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=user["email"]),
                authn={"class_ref": AUTHN_PASSWORD, "authn_auth": idp.base}, sign_assertion=True,
                sign_response=True, **args)
            http_args = server.apply_binding(BINDING_HTTP_POST, str(response), args["destination"],
                                             pending["relay_state"], response=True)
            self._send(200, http_args["data"].encode() if isinstance(http_args["data"], str) else http_args["data"])

    return Handler


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="test-saml-idp-"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    idp = Idp(f"http://127.0.0.1:{server.server_address[1]}", folder)
    server.RequestHandlerClass = make_handler(idp)
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
