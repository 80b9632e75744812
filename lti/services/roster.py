"""Names and Role Provisioning Services: the members of the LMS course a resource link sits in."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from ..errors import LtiServiceError
from ..models import LtiResourceLink, LtiUserLink
from ..tool import registration_of, requests_session
from .platforms import tool_key_ensure

MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


@dataclass(frozen=True)
class RosterMember:
    sub: str
    name: str
    email: str
    roles: list[str]
    status: str
    known: bool  # has launched the tool: an account of the organisation


def _short_role(role: str) -> str:
    return role.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def lti_roster_read(*, resource_link: LtiResourceLink) -> list[RosterMember]:
    """The LMS course's members (every page), marked when they already have an account here."""
    if not resource_link.memberships_url:
        raise LtiServiceError(_("The LMS offered no roster service for this link."))
    registration = registration_of(platform=resource_link.platform, key=tool_key_ensure())
    connector = ServiceConnector(registration, requests_session())
    service = NamesRolesProvisioningService(connector, {
        "context_memberships_url": resource_link.memberships_url, "service_versions": ["2.0"]})
    try:
        members = service.get_members()
    except Exception as exc:  # the platform's refusal or an unreachable host: shown, never a 500
        raise LtiServiceError(_("The LMS did not give the roster (%(reason)s).") % {"reason": str(exc)[:200]}) from exc
    known = set(LtiUserLink.objects.filter(platform=resource_link.platform).values_list("sub", flat=True))
    return sorted((RosterMember(sub=str(m.get("user_id", "")), name=str(m.get("name") or ""),
                                email=str(m.get("email") or ""),
                                roles=[_short_role(str(r)) for r in m.get("roles") or []],
                                status=str(m.get("status") or "Active"), known=str(m.get("user_id", "")) in known)
                   for m in members), key=lambda m: (m.name.casefold(), m.sub))
