"""The SAML 2.0 service provider of single sign-on (issue 17 item 1), on pysaml2 (signatures checked by Debian's
xmlsec1): the SP's configuration and metadata, the AuthnRequest (HTTP-Redirect) and the verification of the
IdP's Response (HTTP-POST): signed assertion, audience, destination, validity window, InResponseTo among the
requests we sent. One job: talk SAML; what the attributes mean is decided in services.sso."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import StatusError
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED
from saml2.sigver import SignatureError
from saml2.validate import ResponseLifetimeExceed, ToEarly

ACCEPTED_CLOCK_SKEW_SECONDS = 60


class SamlError(Exception):
    """The IdP's metadata or answer is not acceptable. `reason` is a stable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class SamlIdentity:
    name_id: str
    attributes: dict[str, list[str]]
    in_response_to: str


def _xmlsec() -> str:
    binary = shutil.which("xmlsec1")
    if binary is None:  # installed by `make install` (Debian's xmlsec1)
        raise SamlError("xmlsec1_missing")
    return binary


def sp_config(*, entity_id: str, acs_url: str, idp_metadata_xml: str | None) -> SPConfig:
    conf: dict[str, Any] = {
        "entityid": entity_id,
        "xmlsec_binary": _xmlsec(),
        "allow_unknown_attributes": True,
        "accepted_time_diff": ACCEPTED_CLOCK_SKEW_SECONDS,
        "service": {"sp": {
            "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]},
            "allow_unsolicited": False,
            "authn_requests_signed": False,
            "want_assertions_signed": True,
            "want_response_signed": False,
            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED],
        }},
    }
    if idp_metadata_xml:
        conf["metadata"] = {"inline": [idp_metadata_xml]}
    config = SPConfig()
    try:
        config.load(conf)
    except Exception as error:  # pysaml2 raises many types for bad metadata
        raise SamlError("metadata_invalid", str(error)) from error
    return config


def idp_entity_id(*, metadata_xml: str) -> str:
    """The entity id of the one IdP the metadata describes (SamlError when it describes none)."""
    config = sp_config(entity_id="urn:check", acs_url="https://check.invalid/acs/", idp_metadata_xml=metadata_xml)
    idps = list(config.metadata.identity_providers()) if config.metadata else []
    if not idps:
        raise SamlError("metadata_invalid", "no IdP in the metadata")
    return str(idps[0])


def sp_metadata(*, entity_id: str, acs_url: str) -> str:
    descriptor = entity_descriptor(sp_config(entity_id=entity_id, acs_url=acs_url, idp_metadata_xml=None))
    return str(descriptor)


def authn_request(*, config: SPConfig, idp_entity_id: str, relay_state: str) -> tuple[str, str]:
    """(request id, URL of the IdP to send the browser to)."""
    client = Saml2Client(config=config)
    try:
        request_id, info = client.prepare_for_authenticate(entityid=idp_entity_id, relay_state=relay_state,
                                                           binding=BINDING_HTTP_REDIRECT)
    except Exception as error:
        raise SamlError("metadata_invalid", str(error)) from error
    location = dict(info["headers"])["Location"]
    return str(request_id), location


def response_parse(*, config: SPConfig, saml_response: str, outstanding: dict[str, str]) -> SamlIdentity:
    """The identity the IdP's signed answer asserts; SamlError with the reason otherwise."""
    client = Saml2Client(config=config)
    try:
        response = client.parse_authn_request_response(saml_response, BINDING_HTTP_POST, outstanding=outstanding)
    except (ResponseLifetimeExceed, ToEarly) as error:
        raise SamlError("expired", str(error)) from error
    except SignatureError as error:
        raise SamlError("bad_signature", str(error)) from error
    except StatusError as error:
        raise SamlError("idp_refused", str(error)) from error
    except Exception as error:  # unsolicited, wrong audience or destination, not XML, …
        name = type(error).__name__
        reason = "unsolicited" if name in {"UnsolicitedResponse", "UnknownPrincipal"} else "invalid_response"
        if "signature" in str(error).lower() or "signed" in str(error).lower():
            reason = "bad_signature"
        raise SamlError(reason, f"{name}: {error}") from error
    if response is None:
        raise SamlError("invalid_response", "no response")
    if response.assertion is None:
        raise SamlError("invalid_response", "no assertion")
    name_id = response.name_id.text if response.name_id is not None else ""
    attributes = {str(key): [str(v) for v in values] for key, values in (response.ava or {}).items()}
    return SamlIdentity(name_id=str(name_id or ""), attributes=attributes,
                        in_response_to=str(response.in_response_to or ""))
