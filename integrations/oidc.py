"""The OpenID Connect relying party of single sign-on (issue 17 item 1), on Authlib: discovery, the authorisation
URL (state, nonce, PKCE S256), the code exchange and the ID token's verification with joserfc (signature against
the provider's JWKS, issuer, audience, expiry, nonce). One job: talk OIDC; what the claims mean is decided in
services.sso."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

TIMEOUT_SECONDS = 10
# Asymmetric signatures only: an HS256 ID token would be "signed" with the client secret we also hold.
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]


class OidcError(Exception):
    """The provider could not be reached, or its answer is not acceptable. `reason` is a stable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
        answer.raise_for_status()
        data = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise OidcError("unreachable", f"{url}: {error}") from error
    if not isinstance(data, dict):
        raise OidcError("unreachable", f"{url}: not a JSON object")
    return data


def discovery(url: str) -> dict[str, Any]:
    """The provider's configuration (`.well-known/openid-configuration`), checked for what the flow needs."""
    config = _get_json(url)
    missing = [key for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri") if not config.get(key)]
    if missing:
        raise OidcError("discovery_incomplete", ", ".join(missing))
    return config


def authorization_start(*, config: dict[str, Any], client_id: str, redirect_uri: str, scope: str) -> AuthorizationStart:
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(48)
    client = OAuth2Session(client_id, scope=scope, redirect_uri=redirect_uri, code_challenge_method="S256")
    url, _state = client.create_authorization_url(config["authorization_endpoint"], state=state, nonce=nonce,
                                                  code_verifier=verifier)
    return AuthorizationStart(url=url, state=state, nonce=nonce, code_verifier=verifier)


def code_exchange(*, config: dict[str, Any], client_id: str, client_secret: str, redirect_uri: str, code: str,
                  code_verifier: str, nonce: str) -> dict[str, Any]:
    """The verified claims of the ID token, completed by the userinfo endpoint when the provider has one."""
    client = OAuth2Session(client_id, client_secret, redirect_uri=redirect_uri)
    try:
        token = client.fetch_token(config["token_endpoint"], code=code, code_verifier=code_verifier,
                                   grant_type="authorization_code", timeout=TIMEOUT_SECONDS)
    except (OAuthError, requests.RequestException, ValueError) as error:
        raise OidcError("token_refused", str(error)) from error
    id_token = token.get("id_token")
    if not id_token:
        raise OidcError("no_id_token")
    registry = jwt.JWTClaimsRegistry(now=int(time.time()), leeway=60,
                                     iss={"essential": True, "value": config["issuer"]},
                                     aud={"essential": True, "value": client_id},
                                     nonce={"essential": True, "value": nonce},
                                     sub={"essential": True}, exp={"essential": True}, iat={"essential": True})
    try:
        keys = KeySet.import_key_set(_get_json(config["jwks_uri"]))  # type: ignore[arg-type]
        decoded = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
        registry.validate(decoded.claims)
    except JoseError as error:
        reason = "expired" if error.error == "expired_token" else "invalid_id_token"
        raise OidcError(reason, f"{error.error}: {error.description or ''}") from error
    except (ValueError, TypeError, KeyError) as error:  # not a JWT at all, a key set that is not one
        raise OidcError("invalid_id_token", str(error)) from error
    result = dict(decoded.claims)
    userinfo_endpoint = config.get("userinfo_endpoint")
    if userinfo_endpoint and token.get("access_token"):
        try:
            answer = client.get(userinfo_endpoint, timeout=TIMEOUT_SECONDS)
            answer.raise_for_status()
            info = answer.json()
        except (requests.RequestException, ValueError):
            info = None
        # The userinfo answer counts only for the same subject (OIDC Core 5.3.2).
        if isinstance(info, dict) and info.get("sub") == result.get("sub"):
            result = {**info, **result}
    return result
