"""pylti1p3 wired to this project: the registrations come from the organisation's schema, the OIDC state and nonces
live in the shared cache under the schema's name, the state cookie works inside an LMS iframe, and a nonce is
accepted once (a replayed id_token is refused)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract

from .models import LtiPlatform, LtiToolKey

NONCE_SECONDS = 10 * 60


def registration_of(*, platform: LtiPlatform, key: LtiToolKey | None) -> Registration:
    """The pylti1p3 registration of `platform`, with the tool's active key when it is given."""
    from .crypto import private_key_decrypt

    registration = (Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
                    .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
                    .set_key_set_url(platform.key_set_url))
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    if key is not None:
        registration.set_tool_private_key(private_key_decrypt(key.private_key_encrypted))
        registration.set_tool_public_key(key.public_key_pem)
    return registration


class SchemaToolConf(ToolConfAbstract):
    """The active platform registrations of the current schema; an issuer may have several client ids."""

    def __init__(self, *, key: LtiToolKey | None) -> None:
        self._key = key
        self.issuers_relation_types = {}

    def _platform(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        platforms = LtiPlatform.objects.filter(issuer=iss, is_active=True)
        if client_id:
            platforms = platforms.filter(client_id=client_id)
        found = list(platforms[:2])
        return found[0] if len(found) == 1 else None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration | None:
        platform = self._platform(iss, None)
        return registration_of(platform=platform, key=self._key) if platform else None

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any, **kwargs: Any) -> Registration | None:
        platform = self._platform(iss, client_id)
        return registration_of(platform=platform, key=self._key) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return None

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *args: Any,
                                  **kwargs: Any) -> Deployment | None:
        platform = self._platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)


class SchemaCacheStorage(LaunchDataStorage):
    """pylti1p3's launch data in the cache every process shares, under the schema's name; `check_value` of a nonce
    deletes it, so the same id_token launches once."""

    def __init__(self) -> None:
        self._cache = caches["shared"]

    def _key(self, key: str) -> str:
        return f"lti:{connection.schema_name}:{self._prepare_key(key)}"

    def get_session_cookie_name(self) -> str | None:
        return None  # the state cookie and the id_token tie the two requests together

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return self._cache.get(self._key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self._cache.set(self._key(key), value, exp)

    def forget(self, key: str) -> None:
        self._cache.delete(self._key(key))

    def check_value(self, key: str) -> bool:
        if "-nonce-" in key:
            return bool(self._cache.delete(self._key(key)))
        return self._cache.get(self._key(key)) is not None


class IframeCookieService(DjangoCookieService):
    """The OIDC state cookie is set during the login initiation and read on the launch, both requests coming from
    the LMS's page (often in its iframe): it must be `SameSite=None; Secure` (browsers accept Secure cookies from
    http://localhost, so development and tests work too). Only this short-lived cookie is cross-site."""

    def update_response(self, response: Any) -> None:
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(key, data["value"], max_age=data["exp"], secure=True, httponly=True, path="/",
                                samesite="None")


def _services(request: HttpRequest) -> tuple[DjangoRequest, SessionService, IframeCookieService]:
    lti_request = DjangoRequest(request)
    session = SessionService(lti_request)
    session.set_data_storage(SchemaCacheStorage())
    session.set_launch_data_lifetime(NONCE_SECONDS)
    return lti_request, session, IframeCookieService(lti_request)


def oidc_login(request: HttpRequest, *, key: LtiToolKey | None) -> DjangoOIDCLogin:
    lti_request, session, cookies = _services(request)
    return DjangoOIDCLogin(lti_request, SchemaToolConf(key=key), session_service=session, cookie_service=cookies)


def message_launch(request: HttpRequest, *, key: LtiToolKey | None) -> DjangoMessageLaunch:
    lti_request, session, cookies = _services(request)
    lti_request._post_only = True
    launch = DjangoMessageLaunch(lti_request, SchemaToolConf(key=key), session_service=session,
                                 cookie_service=cookies, requests_session=requests_session())
    return launch


def requests_session() -> Any:
    """The HTTP client of the tool's calls to a platform (keyset, token, scores, roster): a timeout, no redirect
    followed, HTTPS only, and never an address off the internet (a platform's URLs, some of which arrive in its
    id_token, must not make the platform call into its own network). Plain HTTP and loopback only with DEBUG or
    LTI_ALLOW_HTTP (development and tests)."""
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = "mooc-platform-lti"
    session.request = _guarded(session.request)  # type: ignore[method-assign]
    return session


def _plain_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "LTI_ALLOW_HTTP", False))


def outgoing_url_check(url: str) -> None:
    """Raise ValueError when the tool must not call `url` (see requests_session)."""
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in (("https", "http") if _plain_allowed() else ("https",)) or not host:
        raise ValueError(f"refused: {parts.scheme or 'no'} scheme or no host")
    if _plain_allowed() and (host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost")):
        return
    for *_rest, sockaddr in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP):
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not address.is_global and not (_plain_allowed() and address.is_loopback):
            raise ValueError(f"refused: {host} resolves to {address}, not an internet address")


def _guarded(request: Any) -> Any:
    timeout = getattr(settings, "LTI_HTTP_TIMEOUT_SECONDS", 10.0)

    def call(method: str, url: str, **kwargs: Any) -> Any:
        import requests

        try:
            outgoing_url_check(url)
        except (ValueError, OSError) as exc:
            raise requests.exceptions.InvalidURL(str(exc)) from exc
        kwargs.setdefault("timeout", timeout)
        kwargs["allow_redirects"] = False
        return request(method, url, **kwargs)

    return call


def launch_validate(launch: DjangoMessageLaunch) -> dict[str, Any]:
    """Verify a launch (state, nonce once, registration, signature, expiry, deployment, message) and return the
    id_token's claims; every refusal is an LtiLaunchError whose message the person in the LMS can act on."""
    from django.utils.translation import gettext as _
    from pylti1p3.exception import LtiException

    from .errors import Code, LtiLaunchError

    launch.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})
    try:
        launch.validate()
    except (LtiException, AssertionError, ValueError, KeyError, TypeError) as exc:
        reason = str(exc)
        if "Registration not found" in reason or "Client id not registered" in reason:
            raise LtiLaunchError(_("This LMS is not registered with the organisation: ask its administrator to "
                                   "register it (issuer and client ID) on the LTI page."),
                                 code=Code.LTI_LAUNCH_UNKNOWN_PLATFORM) from exc
        if "deployment" in reason:
            raise LtiLaunchError(_("This deployment of the tool is not registered: ask the organisation's "
                                   "administrator to add its deployment ID on the LTI page."),
                                 code=Code.LTI_LAUNCH_UNKNOWN_DEPLOYMENT) from exc
        if "Invalid Nonce" in reason:
            raise LtiLaunchError(_("This launch was already used or has expired: open the activity again from "
                                   "your LMS."), code=Code.LTI_LAUNCH_REPLAYED) from exc
        if "expired" in reason.lower():
            raise LtiLaunchError(_("This launch has expired: open the activity again from your LMS."),
                                 code=Code.LTI_LAUNCH_EXPIRED) from exc
        if "State not found" in reason or "Missing state" in reason:
            raise LtiLaunchError(_("This launch does not match a sign-in started here (your browser may block the "
                                   "LMS's cookies): open the activity again from your LMS."),
                                 code=Code.LTI_LAUNCH_INVALID) from exc
        raise LtiLaunchError(_("The LMS's launch could not be verified: open the activity again from your LMS."),
                             code=Code.LTI_LAUNCH_INVALID, details={"reason": reason[:200]}) from exc
    return dict(launch.get_launch_data())
