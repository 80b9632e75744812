"""Reads of the LTI tool."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .crypto import public_jwk
from .models import LtiPlatform, LtiResourceLink, LtiScore, LtiToolKey


def tool_jwks() -> dict[str, Any]:
    """The organisation's public keys as a JSON Web Key Set (empty before the first key exists)."""
    return {"keys": [public_jwk(key.public_key_pem) for key in LtiToolKey.objects.filter(is_active=True)]}


def lti_platforms() -> QuerySet[LtiPlatform]:
    return LtiPlatform.objects.all()


def lti_platform_get(*, platform_id: int) -> LtiPlatform | None:
    return LtiPlatform.objects.filter(pk=platform_id).first()


def lti_resource_links(*, platform: LtiPlatform) -> QuerySet[LtiResourceLink]:
    return LtiResourceLink.objects.filter(platform=platform).select_related("course", "lesson")


def lti_resource_link_get(*, platform: LtiPlatform, link_id: int) -> LtiResourceLink | None:
    return lti_resource_links(platform=platform).filter(pk=link_id).first()


def lti_scores(*, platform: LtiPlatform) -> QuerySet[LtiScore]:
    return (LtiScore.objects.filter(resource_link__platform=platform)
            .select_related("user", "resource_link__course", "resource_link__lesson"))
