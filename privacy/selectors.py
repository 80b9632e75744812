"""Reads: an organisation's privacy notice; the platform's identity and sub-processors (from settings)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from tenants.models import Tenant

from .models import TenantPrivacyNotice


def tenant_privacy_notice(*, tenant: Tenant) -> TenantPrivacyNotice | None:
    return TenantPrivacyNotice.objects.filter(tenant=tenant).first()


def platform_publisher() -> dict[str, Any]:
    """The seller's identity (the invoices' own, settings.INVOICING_SELLER) and the legal notice's extras."""
    return {**settings.INVOICING_SELLER, **settings.PLATFORM_LEGAL}


def platform_subprocessors() -> list[dict[str, str]]:
    """Who processes personal data for the platform (settings.PLATFORM_SUBPROCESSORS): name, purpose, location."""
    return list(settings.PLATFORM_SUBPROCESSORS)
