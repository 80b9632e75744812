"""Reads of the integrations app, in the current tenant's schema."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from .models import (
    ApiKey,
    CartridgeExport,
    IdentityProvider,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    XapiStatement,
)


def webhook_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.all()


def webhook_endpoint_get(*, endpoint_id: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(pk=endpoint_id).first()


def webhook_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, with their event and attempts (newest first)."""
    return (WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
            .prefetch_related("attempts"))


def webhook_delivery_get(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery | None:
    return WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).select_related("event").first()


def webhook_attempts(*, delivery: WebhookDelivery) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(delivery=delivery)


def api_keys() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by")


def api_key_get(*, api_key_id: int) -> ApiKey | None:
    return ApiKey.objects.filter(pk=api_key_id).select_related("created_by").first()


def identity_providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.all()


def identity_providers_enabled() -> QuerySet[IdentityProvider]:
    """The providers the sign-in page offers ("Sign in with <name>")."""
    return IdentityProvider.objects.filter(is_active=True).only("id", "name", "protocol")


def identity_provider_get(*, provider_id: int) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(pk=provider_id).first()


def xapi_statements(*, status: str | None = None) -> QuerySet[XapiStatement]:
    """The statements for the LRS, newest first (`status`: only those)."""
    statements = XapiStatement.objects.all()
    return statements.filter(status=status) if status else statements


def xapi_statement_counts() -> dict[str, int]:
    """How many statements are pending, sent and failed."""
    counts = dict(XapiStatement.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in XapiStatement.Status.values}


def course_for_export(*, course_id: int) -> Any:
    """The course (any status: staff export drafts too), or None."""
    from courses.models import Course

    return Course.objects.filter(pk=course_id).first()


def cartridge_exports(*, course: Any) -> QuerySet[CartridgeExport]:
    return CartridgeExport.objects.filter(course=course).select_related("course")


def cartridge_export_get(*, course: Any, export_id: int) -> CartridgeExport | None:
    return cartridge_exports(course=course).filter(pk=export_id).first()
