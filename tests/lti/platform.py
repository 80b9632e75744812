"""A fake LTI 1.3 platform (an LMS) on loopback for the tests: its own RSA key and JWKS, the OIDC authentication
endpoint that signs the id_token, a page framing the tool like an LMS course page, the OAuth 2 token endpoint
(client credentials with a JWT assertion checked against the tool's JWKS), an AGS line item whose score endpoint
records what it receives, an NRPS memberships endpoint and a deep-linking return endpoint."""

from __future__ import annotations

import html
import http.client
import json
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
AGS_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score"]


def rsa_key() -> tuple[str, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    jwk = JWK.from_pem(pem.encode())
    public = json.loads(jwk.export_public())
    public.update({"alg": "RS256", "use": "sig", "kid": jwk.thumbprint()})
    return pem, public


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakePlatform:
    tool_port: int
    tool_host: str  # e.g. demo.localhost: the tool's JWKS is read from 127.0.0.1:tool_port with this Host
    client_id: str = "mooc-tool-client"
    deployment_id: str = "deployment-1"
    private_pem: str = ""
    jwk: dict[str, Any] = field(default_factory=dict)
    # lti_message_hint -> what the launch is about (message type, user, roles, resource link, custom…)
    launches: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: list[Received] = field(default_factory=list)
    score_answers: deque[int] = field(default_factory=deque)  # statuses answered first, then 200
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    deep_link_responses: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    # The tool's JWKS as the test knows it, when no live server serves it (tests in a rolled-back transaction).
    tool_keys: dict[str, Any] | None = None
    server: Any = None

    # --- addresses ---
    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.origin

    @property
    def tool_base(self) -> str:
        return f"http://{self.tool_host}" + (f":{self.tool_port}" if self.tool_port != 80 else "")

    def registration(self) -> dict[str, Any]:
        """What the LMS administrator hands over: the fields of the tool's registration form."""
        return {"name": "Fake Moodle", "issuer": self.issuer, "client_id": self.client_id,
                "deployment_ids": self.deployment_id, "auth_login_url": f"{self.origin}/auth",
                "auth_token_url": f"{self.origin}/token", "key_set_url": f"{self.origin}/jwks", "auth_audience": "",
                "match_by_email": False, "is_active": True}

    # --- launches ---
    def resource_launch(self, *, hint: str, sub: str, target: str, roles: list[str] | None = None,
                        email: str = "", name: str = "Lee Learner", custom: dict[str, str] | None = None,
                        lineitem: str | None = "1", resource_link_id: str = "rl-1") -> str:
        self.launches[hint] = {
            "sub": sub, "email": email, "name": name, "roles": roles or [LEARNER], "target": target,
            "message_type": "LtiResourceLinkRequest", "resource_link_id": resource_link_id, "custom": custom or {},
            "lineitem": lineitem}
        return hint

    def deep_link_launch(self, *, hint: str, sub: str, roles: list[str] | None = None) -> str:
        self.launches[hint] = {"sub": sub, "email": "", "name": "Ines Instructor", "roles": roles or [INSTRUCTOR],
                               "target": f"{self.tool_base}/lti/launch/", "message_type": "LtiDeepLinkingRequest"}
        return hint

    def claims(self, *, hint: str, nonce: str, now: float | None = None, **overrides: Any) -> dict[str, Any]:
        launch = self.launches[hint]
        now = time.time() if now is None else now
        body: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "sub": launch["sub"], "iat": int(now), "exp": int(now) + 300,
            "nonce": nonce, "name": launch["name"],
            CLAIM + "message_type": launch["message_type"], CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id, CLAIM + "target_link_uri": launch["target"],
            CLAIM + "roles": launch["roles"],
            CLAIM + "context": {"id": "course-42", "title": "Physics 101", "type": ["CourseOffering"]},
        }
        if launch["email"]:
            body["email"] = launch["email"]
        if launch["message_type"] == "LtiResourceLinkRequest":
            body[CLAIM + "resource_link"] = {"id": launch["resource_link_id"], "title": "Week 1 quiz"}
            body[CLAIM + "custom"] = launch["custom"]
            if launch["lineitem"]:
                body["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                    "scope": AGS_SCOPES, "lineitems": f"{self.origin}/lineitems",
                    "lineitem": f"{self.origin}/lineitems/{launch['lineitem']}"}
            body["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
                "context_memberships_url": f"{self.origin}/memberships/course-42", "service_versions": ["2.0"]}
        else:
            body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.origin}/deep-link-return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"], "data": "dl-data-7"}
        body.update(overrides)
        return body

    def sign(self, claims: dict[str, Any], *, private_pem: str | None = None, kid: str | None = None) -> str:
        return jwt.encode(claims, private_pem or self.private_pem, algorithm="RS256",
                          headers={"kid": kid or self.jwk["kid"]})

    # --- the tool, as the platform reaches it ---
    def tool_jwks(self) -> dict[str, Any]:
        if self.tool_keys is not None:
            return self.tool_keys
        conn = http.client.HTTPConnection("127.0.0.1", self.tool_port, timeout=30)
        try:
            conn.request("GET", "/.well-known/jwks.json", headers={"Host": f"{self.tool_host}:{self.tool_port}"})
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def verify_tool_jwt(self, token: str, *, audience: str) -> dict[str, Any]:
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in self.tool_jwks()["keys"] if k["kid"] == kid)
        public = jwt.PyJWK(key).key
        return jwt.decode(token, public, algorithms=["RS256"], audience=audience)

    # --- the server ---
    def start(self) -> FakePlatform:
        self.private_pem, self.jwk = rsa_key()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: str | bytes, content_type: str = "application/json") -> None:
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _form(self) -> dict[str, str]:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                return {k: v[0] for k, v in parse_qs(raw).items()}

            def _bearer_ok(self) -> bool:
                auth = self.headers.get("Authorization", "")
                return auth.startswith("Bearer ") and auth[7:] in platform.tokens

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/jwks":
                    return self._send(200, json.dumps({"keys": [platform.jwk]}))
                if url.path.startswith("/course/"):
                    return self._send(200, platform.course_page(url.path.rsplit("/", 1)[-1]), "text/html")
                if url.path == "/auth":
                    return self._auth(query)
                if url.path.startswith("/memberships/"):
                    if not self._bearer_ok():
                        return self._send(401, '{"error": "unauthorized"}')
                    return self._send(200, json.dumps({"id": url.path, "context": {"id": "course-42"},
                                                       "members": platform.members}),
                                      "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
                return self._send(404, "{}")

            def _auth(self, query: dict[str, str]) -> None:
                hint = query.get("lti_message_hint", "")
                if query.get("client_id") != platform.client_id or hint not in platform.launches:
                    return self._send(400, "unknown client or launch", "text/plain")
                if not query.get("redirect_uri", "").startswith(platform.tool_base + "/lti/launch/"):
                    return self._send(400, "redirect_uri not registered", "text/plain")
                token = platform.sign(platform.claims(hint=hint, nonce=query["nonce"]))
                page = (f'<!doctype html><html><body><form id="f" method="post" '
                        f'action="{html.escape(query["redirect_uri"])}">'
                        f'<input type="hidden" name="id_token" value="{token}">'
                        f'<input type="hidden" name="state" value="{html.escape(query["state"])}">'
                        f'<button type="submit">Continue</button></form>'
                        f'<script>document.getElementById("f").submit()</script></body></html>')
                return self._send(200, page, "text/html")

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/token":
                    form = self._form()
                    claims = platform.verify_tool_jwt(form["client_assertion"], audience=f"{platform.origin}/token")
                    platform.token_requests.append({"form": form, "claims": claims})
                    if claims["iss"] != platform.client_id or form["grant_type"] != "client_credentials":
                        return self._send(400, '{"error": "invalid_client"}')
                    token = secrets.token_urlsafe(16)
                    platform.tokens.add(token)
                    return self._send(200, json.dumps({"access_token": token, "token_type": "Bearer",
                                                       "expires_in": 3600, "scope": form.get("scope", "")}))
                if url.path.startswith("/lineitems/") and url.path.endswith("/scores"):
                    raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    if not self._bearer_ok():
                        return self._send(401, '{"error": "unauthorized"}')
                    status = platform.score_answers.popleft() if platform.score_answers else 200
                    if status == 200:
                        platform.scores.append(Received(path=url.path, headers=dict(self.headers.items()),
                                                        body=json.loads(raw)))
                    return self._send(status, "{}")
                if url.path == "/deep-link-return":
                    form = self._form()
                    claims = platform.verify_tool_jwt(form["JWT"], audience=platform.issuer)
                    platform.deep_link_responses.append(claims)
                    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
                    return self._send(200, f"<!doctype html><p id='received'>Received {len(items)} item(s): "
                                           f"{html.escape(items[0]['title'])}</p>", "text/html")
                return self._send(404, "{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def course_page(self, hint: str) -> str:
        """The LMS's course page: a button posts the login initiation into the tool's iframe."""
        launch = self.launches[hint]
        fields = {"iss": self.issuer, "login_hint": launch["sub"], "target_link_uri": launch["target"],
                  "lti_message_hint": hint, "client_id": self.client_id, "lti_deployment_id": self.deployment_id}
        inputs = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items())
        return (f'<!doctype html><html><head><title>Fake Moodle</title></head><body><h1>Physics 101</h1>'
                f'<form method="post" action="{self.tool_base}/lti/login/" target="tool">{inputs}'
                f'<button type="submit" id="launch">Open the activity</button></form>'
                f'<iframe name="tool" id="tool" title="tool" style="width:100%;height:700px"></iframe>'
                f'</body></html>')

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def new_hint(self) -> str:
        return uuid.uuid4().hex


def login_query(platform: FakePlatform, *, hint: str, iss: str | None = None) -> str:
    launch = platform.launches[hint]
    return urlencode({"iss": iss or platform.issuer, "login_hint": launch["sub"], "target_link_uri": launch["target"],
                      "lti_message_hint": hint, "client_id": platform.client_id,
                      "lti_deployment_id": platform.deployment_id})
