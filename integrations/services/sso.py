"""Single sign-on per organisation (issue 17 item 1): identity providers (OpenID Connect, SAML 2.0) configured by
its administrators, the sign-in policy (SSO and password, or SSO only), and the sign-in through a provider.

SPEC R2 stays true: a person the IdP knows joins the organisation only when an administrator chose just-in-time
creation for that provider, and then within the seat limit; otherwise only existing users sign in. The role comes
from a claim (OIDC) or an attribute (SAML) through the provider's role mapping. Every configuration change and
every SSO sign-in (or refusal) is audited."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from courses.errors import LastAdministratorError, SeatLimitReachedError
from courses.services.branding import tenant_default_language
from courses.services.people import TENANT_ROLES, _seat_check, user_role_change
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.events import event_emit, user_event_data

from .. import oidc, saml
from ..errors import Code, SsoConfigurationError, SsoFailedError
from ..models import IdentityProvider, SsoPolicy, SsoRequest
from .webhooks import LOOPBACK_HOSTS, _loopback_allowed

REQUEST_TTL = timedelta(minutes=10)
METADATA_MAX_BYTES = 1_000_000
# When a claim carries several values (groups), the strongest mapped role wins.
ROLE_STRENGTH = {User.Role.ADMINISTRATOR: 3, User.Role.INSTRUCTOR: 2, User.Role.LEARNER: 1}
# Updatable fields of a provider, by protocol (the API and the page send the same names).
COMMON_FIELDS = ("name", "is_active", "provisioning", "default_role", "email_attribute", "name_attribute",
                 "role_attribute", "role_mapping")
OIDC_FIELDS = ("discovery_url", "client_id", "client_secret", "scopes")
SAML_FIELDS = ("metadata_url", "metadata_xml")


# --- Configuration ------------------------------------------------------------------------------------------------


def _invalid(field: str, message: str) -> SsoConfigurationError:
    return SsoConfigurationError(message, details={field: [message]})


def _idp_url_check(*, url: str, field: str) -> str:
    """An https:// URL of a host on the internet (plain HTTP to loopback only in development and tests, where the
    test identity providers listen on 127.0.0.1): the platform fetches it, so it must not reach inside our network."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as error:
        raise _invalid(field, _("Enter a valid URL.")) from error
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    loopback = host in LOOPBACK_HOSTS or host.endswith(".localhost")
    if loopback and _loopback_allowed():
        return url
    if parts.scheme != "https":
        raise _invalid(field, _("The identity provider's URL must use HTTPS."))
    try:
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0])
                     for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]
    except (OSError, ValueError) as error:
        raise _invalid(field, _("This host name does not resolve.")) from error
    if loopback or any(not address.is_global for address in addresses):
        raise _invalid(field, _("The identity provider must be reachable on the internet: not a private address."))
    return url


def _role_check(value: str, field: str) -> str:
    if value not in TENANT_ROLES:
        raise _invalid(field, _("Unknown role %(role)s: use administrator, instructor or learner.") % {"role": value})
    return value


def _saml_metadata_fetch(url: str) -> str:
    try:
        answer = requests.get(url, timeout=oidc.TIMEOUT_SECONDS, allow_redirects=False, stream=True)
        answer.raise_for_status()
        body = answer.raw.read(METADATA_MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise _invalid("metadata_url", _("The metadata URL did not answer: %(error)s") % {"error": error}) from error
    if len(body) > METADATA_MAX_BYTES:
        raise _invalid("metadata_url", _("The metadata is larger than 1 MB."))
    return body.decode("utf-8", errors="replace")


def _fields_clean(*, protocol: str, data: dict[str, Any], provider: IdentityProvider | None) -> dict[str, Any]:
    """The provider's fields after the checks (and, for SAML, the IdP metadata fetched and read), or
    SsoConfigurationError naming the field. A blank client secret on update keeps the stored one."""
    base = provider or IdentityProvider(protocol=protocol)  # a new one starts from the model's defaults
    current = {f: getattr(base, f) for f in (*COMMON_FIELDS, *OIDC_FIELDS, *SAML_FIELDS)}
    merged = {**current, **{k: v for k, v in data.items() if v is not None}}
    if provider is not None and not data.get("client_secret"):
        merged["client_secret"] = provider.client_secret
    cleaned: dict[str, Any] = {}
    name = str(merged.get("name") or "").strip()
    if not name:
        raise _invalid("name", _("Give the identity provider a name (shown on the sign-in page)."))
    cleaned["name"] = name[:100]
    cleaned["is_active"] = bool(merged.get("is_active", True))
    provisioning = merged.get("provisioning") or IdentityProvider.Provisioning.EXISTING
    if provisioning not in IdentityProvider.Provisioning.values:
        raise _invalid("provisioning", _("Choose how users are matched."))
    cleaned["provisioning"] = provisioning
    cleaned["default_role"] = _role_check(merged.get("default_role") or User.Role.LEARNER, "default_role")
    email_attribute = str(merged.get("email_attribute") or "").strip()
    if not email_attribute:
        raise _invalid("email_attribute", _("Name the claim or attribute that carries the e-mail address."))
    cleaned["email_attribute"] = email_attribute[:200]
    cleaned["name_attribute"] = str(merged.get("name_attribute") or "").strip()[:200]
    cleaned["role_attribute"] = str(merged.get("role_attribute") or "").strip()[:200]
    mapping = merged.get("role_mapping") or {}
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and k.strip() for k in mapping):
        raise _invalid("role_mapping", _("The role mapping pairs a value of the IdP with a role."))
    cleaned["role_mapping"] = {k.strip(): _role_check(str(v), "role_mapping") for k, v in mapping.items()}
    if protocol == IdentityProvider.Protocol.OIDC:
        cleaned["discovery_url"] = _idp_url_check(url=str(merged.get("discovery_url") or ""), field="discovery_url")
        for field, message in (("client_id", _("Enter the client ID the provider gave you.")),
                               ("client_secret", _("Enter the client secret the provider gave you."))):
            value = str(merged.get(field) or "").strip()
            if not value:
                raise _invalid(field, message)
            cleaned[field] = value
        scopes = " ".join(str(merged.get("scopes") or "openid email profile").split())
        cleaned["scopes"] = scopes if "openid" in scopes.split() else f"openid {scopes}"
        try:
            oidc.discovery(cleaned["discovery_url"])
        except oidc.OidcError as error:
            raise _invalid("discovery_url", _("The discovery URL did not answer with an OpenID Connect "
                                              "configuration (%(reason)s).") % {"reason": error.reason}) from error
    elif protocol == IdentityProvider.Protocol.SAML:
        metadata_url = str(merged.get("metadata_url") or "").strip()
        metadata_xml = str(merged.get("metadata_xml") or "").strip()
        if metadata_url and (provider is None or data.get("metadata_url") or not data.get("metadata_xml")):
            metadata_url = _idp_url_check(url=metadata_url, field="metadata_url")
            metadata_xml = _saml_metadata_fetch(metadata_url)
        if not metadata_xml:
            raise _invalid("metadata_xml", _("Give the IdP's metadata: its URL or its XML."))
        try:
            entity_id = saml.idp_entity_id(metadata_xml=metadata_xml)
        except saml.SamlError as error:
            field = "metadata_url" if metadata_url and data.get("metadata_url") else "metadata_xml"
            raise _invalid(field, _("This is not the SAML metadata of an identity provider.")) from error
        cleaned.update(metadata_url=metadata_url, metadata_xml=metadata_xml, idp_entity_id=entity_id)
    else:
        raise _invalid("protocol", _("Choose OpenID Connect or SAML 2.0."))
    return cleaned


def _snapshot(provider: IdentityProvider) -> dict[str, Any]:
    """What the audit log keeps of a provider: never the client secret."""
    return {"name": provider.name, "protocol": provider.protocol, "is_active": provider.is_active,
            "provisioning": provider.provisioning, "default_role": provider.default_role,
            "email_attribute": provider.email_attribute, "name_attribute": provider.name_attribute,
            "role_attribute": provider.role_attribute, "role_mapping": provider.role_mapping,
            "discovery_url": provider.discovery_url, "client_id": provider.client_id,
            "client_secret": provider.client_secret_masked, "metadata_url": provider.metadata_url,
            "idp_entity_id": provider.idp_entity_id}


def identity_provider_create(*, protocol: str, actor: User, now: datetime | None = None,
                             **fields: Any) -> IdentityProvider:
    cleaned = _fields_clean(protocol=protocol, data=fields, provider=None)
    now = now or timezone.now()
    with transaction.atomic():
        provider = IdentityProvider.objects.create(protocol=protocol, created_at=now, updated_at=now, **cleaned)
        audit_record(action="sso.provider_created", actor=actor, schema_name=connection.schema_name,
                     target=provider, after=_snapshot(provider))
    return provider


def identity_provider_update(*, provider: IdentityProvider, actor: User, now: datetime | None = None,
                             **fields: Any) -> IdentityProvider:
    cleaned = _fields_clean(protocol=provider.protocol, data=fields, provider=provider)
    with transaction.atomic():
        provider = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
        before = _snapshot(provider)
        for field, value in cleaned.items():
            setattr(provider, field, value)
        provider.updated_at = now or timezone.now()
        provider.save()
        after = _snapshot(provider)
        if before != after or fields.get("client_secret"):
            audit_record(action="sso.provider_updated", actor=actor, schema_name=connection.schema_name,
                         target=provider, before=before,
                         after={**after, "client_secret_changed": bool(fields.get("client_secret"))})
    return provider


@transaction.atomic
def identity_provider_delete(*, provider: IdentityProvider, actor: User) -> None:
    audit_record(action="sso.provider_deleted", actor=actor, schema_name=connection.schema_name, target=provider,
                 before=_snapshot(provider))
    provider.delete()


def sso_policy_get() -> SsoPolicy:
    return SsoPolicy.objects.filter(pk=1).first() or SsoPolicy(pk=1)


@transaction.atomic
def sso_policy_set(*, mode: str, actor: User, now: datetime | None = None) -> SsoPolicy:
    """Set the organisation's sign-in policy. SSO only needs an enabled identity provider (or nobody but the
    administrators could sign in)."""
    if mode not in SsoPolicy.Mode.values:
        raise _invalid("mode", _("Choose “SSO and password” or “SSO only”."))
    if mode == SsoPolicy.Mode.SSO_ONLY and not IdentityProvider.objects.filter(is_active=True).exists():
        raise _invalid("mode", _("Enable an identity provider before requiring single sign-on."))
    policy, _created = SsoPolicy.objects.select_for_update().get_or_create(pk=1)
    before = policy.mode
    policy.mode, policy.updated_at = mode, now or timezone.now()
    policy.save()
    if before != mode:
        audit_record(action="sso.policy_changed", actor=actor, schema_name=connection.schema_name, target=policy,
                     before={"mode": before}, after={"mode": mode})
    return policy


def sso_password_refusal(*, user: User) -> str | None:
    """Why `user` may not sign in with a password here (None when they may): under "SSO only", everyone but
    the administrators signs in through the identity provider (administrators keep their password so that a
    broken IdP never locks the organisation out). Called by the login form and the token API
    (settings.PASSWORD_SIGN_IN_REFUSAL)."""
    if connection.schema_name == "public" or user.role in (User.Role.ADMINISTRATOR, User.Role.OPERATOR):
        return None
    if sso_policy_get().mode != SsoPolicy.Mode.SSO_ONLY:
        return None
    providers = list(IdentityProvider.objects.filter(is_active=True).values_list("name", flat=True))
    if not providers:
        return None
    return _("This organisation signs in through its identity provider: use “Sign in with %(name)s”.") % {
        "name": providers[0]}


# --- Sign-in --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SsoIdentity:
    """What an identity provider asserted, read through the provider's mapping."""

    email: str
    full_name: str
    role_values: list[str]
    subject: str


def _failed(reason: str, message: str, **details: Any) -> SsoFailedError:
    return SsoFailedError(message, reason=reason, details=details)


def _safe_next(next_url: str) -> str:
    next_url = (next_url or "").strip()
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None) and next_url.startswith("/"):
        return next_url[:500]
    return "/"


def sp_urls(*, provider: IdentityProvider, base_url: str) -> dict[str, str]:
    """The URLs of this organisation as the provider's client: OIDC redirect URI, SAML entity id and ACS."""
    base = base_url.rstrip("/")
    return {"redirect_uri": f"{base}/sso/{provider.pk}/oidc/callback/",
            "entity_id": f"{base}/sso/{provider.pk}/saml/metadata/",
            "acs_url": f"{base}/sso/{provider.pk}/saml/acs/"}


def sso_sp_metadata(*, provider: IdentityProvider, base_url: str) -> str:
    urls = sp_urls(provider=provider, base_url=base_url)
    return saml.sp_metadata(entity_id=urls["entity_id"], acs_url=urls["acs_url"])


def _requests_expired_delete(*, now: datetime) -> None:
    SsoRequest.objects.filter(created_at__lt=now - REQUEST_TTL).delete()


def sso_begin(*, provider: IdentityProvider, base_url: str, next_url: str = "",
              now: datetime | None = None) -> tuple[str, str]:
    """Start a sign-in with `provider`: (URL of the IdP to send the browser to, key of the request, which the
    caller keeps in the browser's session for OIDC)."""
    now = now or timezone.now()
    if not provider.is_active:
        raise _failed("provider_disabled", _("This identity provider is not enabled."))
    _requests_expired_delete(now=now)
    urls = sp_urls(provider=provider, base_url=base_url)
    if provider.protocol == IdentityProvider.Protocol.OIDC:
        try:
            config = oidc.discovery(provider.discovery_url)
        except oidc.OidcError as error:
            raise _failed("idp_unreachable", _("The identity provider %(name)s cannot be reached right now. "
                                               "Try again in a moment.") % {"name": provider.name}) from error
        start = oidc.authorization_start(config=config, client_id=provider.client_id,
                                         redirect_uri=urls["redirect_uri"], scope=provider.scopes)
        SsoRequest.objects.create(provider=provider, key=start.state, nonce=f"{start.nonce} {start.code_verifier}",
                                  next_url=_safe_next(next_url), created_at=now)
        return start.url, start.state
    config = saml.sp_config(entity_id=urls["entity_id"], acs_url=urls["acs_url"],
                            idp_metadata_xml=provider.metadata_xml)
    relay_state = secrets.token_urlsafe(16)
    try:
        request_id, location = saml.authn_request(config=config, idp_entity_id=provider.idp_entity_id,
                                                  relay_state=relay_state)
    except saml.SamlError as error:
        raise _failed("idp_unreachable", _("The identity provider %(name)s is not configured correctly.")
                      % {"name": provider.name}) from error
    SsoRequest.objects.create(provider=provider, key=request_id, nonce=relay_state,
                              next_url=_safe_next(next_url), created_at=now)
    return location, request_id


def _request_take(*, provider: IdentityProvider, key: str, now: datetime) -> SsoRequest:
    """The pending request `key` of `provider`, deleted (a second use finds nothing)."""
    request = (SsoRequest.objects.select_for_update().filter(provider=provider, key=key,
                                                             created_at__gte=now - REQUEST_TTL).first()
               if key else None)
    if request is None:
        raise _failed("bad_state", _("This sign-in link has expired or was already used. Start again from the "
                                     "sign-in page."))
    request.delete()
    return request


def _claim(data: dict[str, Any], name: str) -> list[str]:
    """The values of claim/attribute `name` (dotted names reach into objects; case-insensitive for SAML
    friendly names)."""
    if not name:
        return []
    value: Any = data
    for part in name.split("."):
        if isinstance(value, dict):
            match = value.get(part)
            if match is None:
                match = next((v for k, v in value.items() if str(k).lower() == part.lower()), None)
            value = match
        else:
            value = None
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    return [str(v).strip() for v in values if str(v).strip()]


def _identity(*, provider: IdentityProvider, claims: dict[str, Any], fallback_email: str = "",
              subject: str = "") -> SsoIdentity:
    emails = _claim(claims, provider.email_attribute) or ([fallback_email] if fallback_email else [])
    email = (emails[0] if emails else "").lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise _failed("no_email", _("%(name)s did not send an e-mail address for you (claim or attribute "
                                    "“%(attribute)s”). Ask your administrator to check the mapping.")
                      % {"name": provider.name, "attribute": provider.email_attribute}) from error
    names = _claim(claims, provider.name_attribute)
    return SsoIdentity(email=email, full_name=(names[0] if names else "")[:200],
                       role_values=_claim(claims, provider.role_attribute), subject=subject)


def sso_role_mapped(*, provider: IdentityProvider, values: list[str]) -> str | None:
    """The role the provider's mapping gives these claim values (the strongest when several match), None when
    none matches."""
    roles = [provider.role_mapping[v] for v in values if v in provider.role_mapping]
    return max(roles, key=lambda role: ROLE_STRENGTH.get(role, 0)) if roles else None


def sso_user_resolve(*, provider: IdentityProvider, identity: SsoIdentity) -> User:
    """The user of the organisation the identity signs in as: an existing user with that e-mail, or (just-in-time
    provisioning) a new one within the seat limit. Role mapping applies at every sign-in (the last administrator
    keeps their role). Audited `sso.signed_in` / `sso.user_created` / `sso.refused`."""
    mapped = sso_role_mapped(provider=provider, values=identity.role_values)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=identity.email).first()
        if user is None:
            if provider.provisioning != IdentityProvider.Provisioning.JIT:
                raise _failed("unknown_user", _("%(email)s is not a user of this organisation. Ask its administrator "
                                                "to register you.") % {"email": identity.email},
                              email=identity.email)
            try:
                _seat_check()
            except SeatLimitReachedError as error:
                raise SsoFailedError(
                    _("%(email)s cannot join: every seat of the organisation's subscription is taken. Ask its "
                      "administrator to free a seat or raise the seat limit.") % {"email": identity.email},
                    reason="seats_full", code=Code.SSO_FAILED, details=error.details,
                    status_code=409) from error
            role = mapped or provider.default_role
            # A random password nobody knows: the account is active (an accepted seat, not a pending
            # invitation); the person signs in through the IdP, or chooses a password by "forgot password"
            # when the organisation allows passwords.
            user = User.objects.create_user(identity.email, secrets.token_urlsafe(32), role=role,
                                            full_name=identity.full_name, language=tenant_default_language())
            audit_record(action="sso.user_created", actor=None, schema_name=connection.schema_name, target=user,
                         after={"email": user.email, "role": role, "provider": provider.name})
            event_emit(event_type="user.created", data={"user": user_event_data(user)})
        elif not user.is_active:
            raise SsoFailedError(_("The account %(email)s is deactivated in this organisation.")
                                 % {"email": identity.email}, reason="inactive", details={"email": identity.email},
                                 status_code=403)
        else:
            if mapped and mapped != user.role and user.role != User.Role.OPERATOR:
                try:
                    with transaction.atomic():
                        user = user_role_change(user=user, role=mapped, actor=None)
                except LastAdministratorError:
                    pass  # the organisation keeps an administrator; the IdP's group is fixed there
            if identity.full_name and not user.full_name:
                user.full_name = identity.full_name
                user.save(update_fields=["full_name"])
        audit_record(action="sso.signed_in", actor=user, schema_name=connection.schema_name, target=user,
                     after={"email": user.email, "provider": provider.name, "protocol": provider.protocol,
                            "role": user.role})
    return user


def _refusal_audit(*, provider: IdentityProvider, error: SsoFailedError) -> None:
    audit_record(action="sso.refused", actor=None, schema_name=connection.schema_name, target=provider,
                 after={"provider": provider.name, "reason": error.reason,
                        "email": error.details.get("email", "")})


OIDC_REASONS = {
    "expired": lambda: _("The identity provider's answer has expired. Start again from the sign-in page."),
    "invalid_id_token": lambda: _("The identity provider's answer could not be verified (bad signature or "
                                  "not meant for us). Nobody was signed in."),
}


def sso_oidc_complete(*, provider: IdentityProvider, base_url: str, state: str, code: str, error: str = "",
                      session_state: str = "", now: datetime | None = None) -> tuple[User, str]:
    """Finish an OIDC sign-in from the provider's redirect: (the user, where to go next). `session_state` is the
    state this browser started with: an answer started in another browser is refused (login CSRF)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            request = _request_take(provider=provider, key=state, now=now)
        if not session_state or session_state != state:
            raise _failed("bad_state", _("This sign-in was started in another browser or tab. Start again from the "
                                         "sign-in page."))
        if error:
            raise _failed("idp_refused", _("%(name)s did not sign you in (%(error)s).")
                          % {"name": provider.name, "error": error[:100]})
        if not code:
            raise _failed("bad_state", _("The identity provider's answer has no authorisation code."))
        nonce, _space, verifier = request.nonce.partition(" ")
        try:
            config = oidc.discovery(provider.discovery_url)
            claims = oidc.code_exchange(config=config, client_id=provider.client_id,
                                        client_secret=provider.client_secret,
                                        redirect_uri=sp_urls(provider=provider, base_url=base_url)["redirect_uri"],
                                        code=code, code_verifier=verifier, nonce=nonce)
        except oidc.OidcError as oidc_error:
            message = OIDC_REASONS.get(oidc_error.reason, lambda: _(
                "The identity provider %(name)s refused the sign-in or could not be reached. Start again from "
                "the sign-in page.") % {"name": provider.name})()
            raise _failed(oidc_error.reason, message) from oidc_error
        identity = _identity(provider=provider, claims=claims, subject=str(claims.get("sub", "")))
        user = sso_user_resolve(provider=provider, identity=identity)
    except SsoFailedError as failure:
        _refusal_audit(provider=provider, error=failure)
        raise
    return user, request.next_url or "/"


SAML_REASONS = {
    "expired": lambda: _("The identity provider's assertion has expired (or is not valid yet). Start again from "
                         "the sign-in page."),
    "bad_signature": lambda: _("The identity provider's answer is not signed with its key. Nobody was signed in."),
    "unsolicited": lambda: _("This answer of the identity provider does not match a sign-in started here, or "
                             "was already used. Start again from the sign-in page."),
    "idp_refused": lambda: _("The identity provider did not sign you in."),
}


def sso_saml_complete(*, provider: IdentityProvider, base_url: str, saml_response: str,
                      now: datetime | None = None) -> tuple[User, str]:
    """Finish a SAML sign-in from the IdP's POST to our ACS: (the user, where to go next)."""
    now = now or timezone.now()
    try:
        if not saml_response:
            raise _failed("invalid_response", _("The identity provider's answer is missing."))
        urls = sp_urls(provider=provider, base_url=base_url)
        config = saml.sp_config(entity_id=urls["entity_id"], acs_url=urls["acs_url"],
                                idp_metadata_xml=provider.metadata_xml)
        outstanding = dict(SsoRequest.objects.filter(provider=provider, created_at__gte=now - REQUEST_TTL)
                           .values_list("key", "next_url"))
        try:
            asserted = saml.response_parse(config=config, saml_response=saml_response, outstanding=outstanding)
        except saml.SamlError as saml_error:
            message = SAML_REASONS.get(saml_error.reason, lambda: _(
                "The identity provider's answer could not be read or verified. Nobody was signed in."))()
            raise _failed(saml_error.reason, message) from saml_error
        with transaction.atomic():
            request = _request_take(provider=provider, key=asserted.in_response_to, now=now)
        identity = _identity(provider=provider, claims=asserted.attributes,
                             fallback_email=asserted.name_id if "@" in asserted.name_id else "",
                             subject=asserted.name_id)
        user = sso_user_resolve(provider=provider, identity=identity)
    except SsoFailedError as failure:
        _refusal_audit(provider=provider, error=failure)
        raise
    return user, request.next_url or "/"
