"""A small OpenID Connect provider the SSO tests start as a second process on 127.0.0.1 (issue 17 item 1).

Real protocol, no shortcut: discovery document, JWKS, an authorisation endpoint with a sign-in form (e-mail and
password of the users the test registers), the authorization-code grant with PKCE S256 and client
authentication (client_secret_basic or client_secret_post), ID tokens signed RS256 with joserfc, userinfo.
The test steers it through /admin/…: its users, and a mode that makes it misbehave like a broken or hostile
provider (`wrong_key`: ID tokens signed with a key not in its JWKS; `expired`: ID tokens already expired;
`wrong_nonce`).

    python sso_oidc_provider.py --client-id ID --client-secret SECRET   # prints "READY <port>"
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import html
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


class Provider:
    def __init__(self, *, client_id: str, client_secret: str) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
        self.users: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.mode = "normal"
        self.base = ""
        self.lock = threading.Lock()

    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.base, "authorization_endpoint": f"{self.base}/authorize",
                "token_endpoint": f"{self.base}/token", "userinfo_endpoint": f"{self.base}/userinfo",
                "jwks_uri": f"{self.base}/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"]}

    def claims_of(self, email: str) -> dict[str, Any]:
        user = self.users[email]
        return {"sub": user.get("sub") or hashlib.sha256(email.encode()).hexdigest()[:20], "email": email,
                "email_verified": True, "name": user.get("name", ""), "groups": user.get("groups", [])}

    def id_token(self, *, email: str, nonce: str) -> str:
        now = int(time.time())
        claims = {**self.claims_of(email), "iss": self.base, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": nonce, "auth_time": now}
        key = self.key
        if self.mode == "wrong_key":
            key = self.rogue_key
        elif self.mode == "expired":
            claims.update(iat=now - 7200, exp=now - 3600)
        elif self.mode == "wrong_nonce":
            claims["nonce"] = "not-the-nonce"
        return jwt.encode({"alg": "RS256", "kid": "test-key-1"}, claims, key)


def _page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<meta name='viewport' content='width=device-width'></head><body>"
            f"<h1>{html.escape(title)}</h1>{body}</body></html>").encode()


def make_handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str = "application/json",
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: Any) -> None:
            self._send(status, json.dumps(data).encode())

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                return json.loads(raw or "{}")
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                return self._json(200, provider.discovery())
            if parts.path == "/jwks":
                return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            if parts.path == "/authorize":
                return self._authorize_form(query, error="")
            if parts.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                grant = provider.tokens.get(token)
                if grant is None:
                    return self._json(401, {"error": "invalid_token"})
                return self._json(200, provider.claims_of(grant["email"]))
            return self._json(404, {"error": "not_found"})

        def _authorize_form(self, query: dict[str, str], *, error: str) -> None:
            if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                return self._send(400, _page("Bad request", "<p>unknown client</p>"), "text/html; charset=utf-8")
            hidden = "".join(f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
                             for k, v in query.items())
            body = (f"{f'<p role=alert>{html.escape(error)}</p>' if error else ''}"
                    f"<form method='post' action='/authorize'>{hidden}"
                    "<p><label for='email'>IdP e-mail</label> <input id='email' name='email' type='email'></p>"
                    "<p><label for='password'>IdP password</label> <input id='password' name='password' "
                    "type='password'></p><p><button type='submit' name='action' value='allow'>Continue</button> "
                    "<button type='submit' name='action' value='deny'>Cancel</button></p></form>")
            self._send(200, _page("Test OpenID provider", body), "text/html; charset=utf-8")

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            form = self._form()
            if parts.path == "/admin/users":
                provider.users = {u["email"].lower(): u for u in form["users"]}
                return self._json(200, {"users": len(provider.users)})
            if parts.path == "/admin/mode":
                provider.mode = form["mode"]
                return self._json(200, {"mode": provider.mode})
            if parts.path == "/authorize":
                return self._authorize(form)
            if parts.path == "/token":
                return self._token(form)
            return self._json(404, {"error": "not_found"})

        def _authorize(self, form: dict[str, str]) -> None:
            redirect_uri, state = form.get("redirect_uri", ""), form.get("state", "")
            query = {k: v for k, v in form.items() if k not in {"email", "password", "action"}}
            if form.get("action") == "deny":
                location = f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}"
                return self._send(302, b"", headers={"Location": location})
            user = provider.users.get(form.get("email", "").lower())
            if user is None or not secrets.compare_digest(user.get("password", ""), form.get("password", "")):
                return self._authorize_form(query, error="Wrong e-mail or password.")
            code = secrets.token_urlsafe(24)
            with provider.lock:
                provider.codes[code] = {"email": form["email"].lower(), "redirect_uri": redirect_uri,
                                        "nonce": form.get("nonce", ""), "challenge": form.get("code_challenge", ""),
                                        "expires": time.time() + 60}
            location = f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"
            self._send(302, b"", headers={"Location": location})

        def _token(self, form: dict[str, str]) -> None:
            client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                from urllib.parse import unquote

                decoded = base64.b64decode(auth[6:]).decode()
                client_id, _sep, client_secret = decoded.partition(":")
                client_id, client_secret = unquote(client_id), unquote(client_secret)
            if client_id != provider.client_id or not secrets.compare_digest(client_secret, provider.client_secret):
                return self._json(401, {"error": "invalid_client"})
            with provider.lock:
                grant = provider.codes.pop(form.get("code", ""), None)
            if grant is None or grant["expires"] < time.time() or grant["redirect_uri"] != form.get("redirect_uri"):
                return self._json(400, {"error": "invalid_grant"})
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant["challenge"] and challenge != grant["challenge"]:
                return self._json(400, {"error": "invalid_grant", "error_description": "PKCE verifier"})
            access = secrets.token_urlsafe(24)
            provider.tokens[access] = {"email": grant["email"]}
            self._json(200, {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                             "id_token": provider.id_token(email=grant["email"], nonce=grant["nonce"])})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    provider = Provider(client_id=args.client_id, client_secret=args.client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(provider))
    provider.base = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"READY {server.server_address[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
