"""Outgoing webhooks (issue 17 item 3): endpoints, events, signed deliveries retried for 24 h, the log.

Signature (documented in the OpenAPI description and the README): every attempt carries
`Webhook-Id` (the event's id, the same on every retry and replay: deduplicate on it), `Webhook-Timestamp` (Unix
seconds of this attempt) and `Webhook-Signature: v1=<hex>`, the HMAC-SHA256 of `"<timestamp>.<raw body>"` under
the endpoint's secret. A receiver recomputes it, compares in constant time and refuses a timestamp more than
WEBHOOK_TOLERANCE_SECONDS (300) away from its clock: a captured request cannot be replayed later."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.accounts.selectors import administrators_active
from mooc_platform.audit import audit_record
from mooc_platform.emails import email_send
from mooc_platform.errors import ConflictError
from mooc_platform.i18n import language_supported

from ..errors import WebhookEventsError, WebhookUrlError
from ..events import EVENT_TYPES, PING
from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

BODY_EXCERPT = 500
SIGNATURE_HEADER = "Webhook-Signature"
TIMESTAMP_HEADER = "Webhook-Timestamp"
ID_HEADER = "Webhook-Id"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOK_ALLOW_LOOPBACK_HTTP", False))


def webhook_url_check(*, url: str) -> str:
    """The URL cleaned, or WebhookUrlError: HTTPS to a public host (plain HTTP to loopback only in
    development and tests, so a test receiver can listen on 127.0.0.1)."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as error:
        raise WebhookUrlError(_("Enter a valid URL."), details={"url": [_("Enter a valid URL.")]}) from error
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    loopback = host in LOOPBACK_HOSTS or host.endswith(".localhost")
    if loopback and not _loopback_allowed():
        message = _("The endpoint must be reachable on the internet: not a local address.")
        raise WebhookUrlError(message, details={"url": [message]})
    if parts.scheme != "https" and not (loopback and _loopback_allowed()):
        message = _("The endpoint must use HTTPS.")
        raise WebhookUrlError(message, details={"url": [message]})
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is not None and not address.is_global and not (loopback and _loopback_allowed()):
        message = _("The endpoint must be reachable on the internet: not a private address.")
        raise WebhookUrlError(message, details={"url": [message]})
    return url


def _events_check(events: list[str]) -> list[str]:
    unknown = sorted({e for e in events if e not in EVENT_TYPES})
    if unknown or not events:
        message = (_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)} if unknown
                   else _("Choose at least one event."))
        raise WebhookEventsError(message, details={"events": [message]})
    return [e for e in EVENT_TYPES if e in set(events)]


def _secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "events": endpoint.events, "is_active": endpoint.is_active,
            "description": endpoint.description}


@transaction.atomic
def webhook_endpoint_create(*, url: str, events: list[str], actor: User, description: str = "") -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(url=webhook_url_check(url=url), events=_events_check(events),
                                              description=description.strip(), secret=_secret(), created_by=actor)
    audit_record(action="webhook.created", actor=actor, schema_name=connection.schema_name, target=endpoint,
                 after=_snapshot(endpoint))
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, actor: User, url: str | None = None,
                            events: list[str] | None = None, description: str | None = None,
                            is_active: bool | None = None) -> WebhookEndpoint:
    """Edit an endpoint; enabling a disabled one starts its failure count afresh."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = _snapshot(endpoint)
    if url is not None:
        endpoint.url = webhook_url_check(url=url)
    if events is not None:
        endpoint.events = _events_check(events)
    if description is not None:
        endpoint.description = description.strip()
    if is_active is not None and is_active != endpoint.is_active:
        endpoint.is_active = is_active
        endpoint.failing_since = None
        endpoint.disabled_at = None if is_active else timezone.now()
        endpoint.disabled_reason = "" if is_active else "disabled by an administrator"
    endpoint.save()
    audit_record(action="webhook.updated", actor=actor, schema_name=connection.schema_name, target=endpoint,
                 before=before, after=_snapshot(endpoint))
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    audit_record(action="webhook.deleted", actor=actor, schema_name=connection.schema_name, target=endpoint,
                 before=_snapshot(endpoint))
    endpoint.delete()


@transaction.atomic
def webhook_secret_rotate(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEndpoint:
    endpoint.secret = _secret()
    endpoint.save(update_fields=["secret"])
    audit_record(action="webhook.secret_rotated", actor=actor, schema_name=connection.schema_name,
                 target=endpoint)
    return endpoint


# --- Events and deliveries ----------------------------------------------------------------------------------


def _deliveries_queue(*, schema_name: str, delivery_ids: list[int], manual: bool = False) -> None:
    from ..tasks import webhook_deliver

    for delivery_id in delivery_ids:
        try:
            webhook_deliver.apply_async(kwargs={"schema_name": schema_name, "delivery_id": delivery_id,
                                                "manual": manual})
        except Exception:  # broker down: the delivery stays pending, visible in the log, and can be replayed
            logger.warning("webhook delivery %s of %s not queued", delivery_id, schema_name, exc_info=True)


def webhook_event_record(*, event_type: str, data: dict[str, Any], occurred_at: datetime | None = None,
                         endpoints: list[WebhookEndpoint] | None = None, manual: bool = False
                         ) -> list[WebhookDelivery]:
    """In the current tenant schema: record the event and one delivery per active endpoint subscribed to it,
    queued after the commit. Returns the deliveries (none: nothing is recorded)."""
    if endpoints is None:
        endpoints = [e for e in WebhookEndpoint.objects.filter(is_active=True) if event_type in e.events]
    if not endpoints:
        return []
    schema_name = connection.schema_name
    with transaction.atomic():
        event = WebhookEvent.objects.create(type=event_type, occurred_at=occurred_at or timezone.now(),
                                            data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)))
        deliveries = [WebhookDelivery.objects.create(endpoint=endpoint, event=event) for endpoint in endpoints]
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: _deliveries_queue(schema_name=schema_name, delivery_ids=ids, manual=manual))
    return deliveries


def _schemas_with_active_endpoints(schema_names: list[str]) -> set[str]:
    """Which of these tenant schemas have an active endpoint: two queries for any number of schemas (a billing
    run's events must not cost a schema switch each)."""
    if schema_names == [connection.schema_name]:  # an event of the request's own organisation: one query
        return set(schema_names) if WebhookEndpoint.objects.filter(is_active=True).exists() else set()
    table = WebhookEndpoint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE c.relname = %s AND n.nspname = ANY(%s)", [table, schema_names])
        existing = sorted(row[0] for row in cursor.fetchall())
        found: set[str] = set()
        for start in range(0, len(existing), 200):
            chunk = existing[start:start + 200]
            # Names come from information_schema and are quoted; the values are parameters.
            sql = " UNION ALL ".join(f"(SELECT %s FROM {connection.ops.quote_name(name)}.{table} "  # noqa: S608
                                     "WHERE is_active LIMIT 1)" for name in chunk)
            cursor.execute(sql, chunk)
            found.update(row[0] for row in cursor.fetchall())
    return found


def webhook_events_receive(*, events: list[Any]) -> int:
    """The sink of mooc_platform.events (settings.EVENT_SINKS): record each event in its tenant's schema when an
    active endpoint there subscribed to it. Returns how many deliveries were recorded."""
    events = [e for e in events if e.event_type in EVENT_TYPES]
    if not events:
        return 0
    recorded = 0
    for schema_name in sorted(_schemas_with_active_endpoints(sorted({e.schema_name for e in events}))):
        with schema_context(schema_name):
            for event in events:
                if event.schema_name == schema_name:
                    recorded += len(webhook_event_record(event_type=event.event_type, data=event.data,
                                                         occurred_at=event.occurred_at))
    return recorded


def webhook_ping(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a test event to one endpoint (even a disabled one), once, to check the receiver and its verification."""
    return webhook_event_record(event_type=PING, data={"endpoint_id": endpoint.pk}, endpoints=[endpoint],
                                manual=True)[0]


def webhook_body(*, event: WebhookEvent) -> bytes:
    payload = {"id": str(event.event_id), "type": event.type, "created_at": event.occurred_at.isoformat(),
               "tenant": connection.schema_name, "data": event.data}
    return json.dumps(payload, separators=(",", ":"), cls=DjangoJSONEncoder).encode()


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`v1=` + hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # a redirect is an answer, not followed
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _private_address_of(host: str) -> str | None:
    """The first address `host` resolves to that is not on the internet (None when all are): a public name
    pointed at an internal address must not make the platform post into its own network. Loopback stays
    allowed where webhook_url_check allows it (development and tests)."""
    if (host in LOOPBACK_HOSTS or host.endswith(".localhost")) and _loopback_allowed():
        return None
    for *_rest, sockaddr in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP):
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not address.is_global:
            return str(address)
    return None


def _post(*, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    return outbound_send(url=url, body=body, headers=headers, method="POST")


def outbound_send(*, url: str, body: bytes, headers: dict[str, str], method: str = "POST",
                  timeout: float | None = None) -> tuple[int | None, str, str]:
    """Send `body` to a customer's system (a webhook endpoint, an LRS); returns (status or None, body excerpt,
    error). The host is resolved first, at each attempt: an address off the internet is refused without
    connecting; a redirect is an answer, not followed."""
    try:
        private = _private_address_of((urlsplit(url).hostname or "").lower())
    except (OSError, ValueError) as error:
        return None, "", str(error)[:300]
    if private is not None:
        return None, "", f"refused: the host resolves to {private}, not an internet address"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - https checked
    try:
        with _opener.open(request, timeout=timeout or settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, response.read(BODY_EXCERPT * 4).decode("utf-8", "replace")[:BODY_EXCERPT], ""
    except urllib.error.HTTPError as error:
        excerpt = (error.read(BODY_EXCERPT * 4) or b"").decode("utf-8", "replace")[:BODY_EXCERPT]
        return error.code, excerpt, ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, "", str(getattr(error, "reason", error))[:300]


def retry_delay(*, attempts: int) -> timedelta:
    """Exponential backoff: base × 2^(n−1) after the n-th failed attempt, capped."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


def webhook_delivery_attempt(*, delivery_id: int, manual: bool = False,
                             now: datetime | None = None) -> timedelta | None:
    """Make one attempt of a delivery and log it. Returns the delay before the next attempt, or None when the
    delivery is over (succeeded, given up after WEBHOOK_RETRY_HOURS, endpoint disabled, or a manual replay).
    An endpoint whose attempts have all failed for WEBHOOK_DISABLE_AFTER_HOURS is disabled and the
    organisation's administrators are e-mailed."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update().select_related("endpoint", "event")
                    .filter(pk=delivery_id).first())
        if delivery is None or (not manual and delivery.status != WebhookDelivery.Status.PENDING):
            return None
        endpoint = delivery.endpoint
        if not manual and not endpoint.is_active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return None
        body = webhook_body(event=delivery.event)
        timestamp = int(time.time())
        headers = {"Content-Type": "application/json", "User-Agent": "MOOC-Platform-Webhooks/1.0",
                   ID_HEADER: str(delivery.event.event_id), TIMESTAMP_HEADER: str(timestamp),
                   SIGNATURE_HEADER: webhook_signature(secret=endpoint.secret, timestamp=timestamp, body=body)}
        started = time.monotonic()
        status, excerpt, error = _post(url=endpoint.url, body=body, headers=headers)
        duration = int((time.monotonic() - started) * 1000)
        delivery.attempts_count += 1
        attempt = WebhookAttempt.objects.create(delivery=delivery, number=delivery.attempts_count, attempted_at=now,
                                                response_status=status, response_body=excerpt, error=error,
                                                duration_ms=duration, manual=manual)
        if attempt.succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.succeeded_at = now
            delivery.next_attempt_at = None
            delivery.save()
            if endpoint.failing_since is not None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            return None
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if endpoint.failing_since is None:
            endpoint.failing_since = now
            endpoint.save(update_fields=["failing_since"])
        elif (endpoint.is_active
              and now - endpoint.failing_since >= timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)):
            _endpoint_disable(endpoint=endpoint, now=now)
        delay = retry_delay(attempts=delivery.attempts_count)
        over = (manual or not endpoint.is_active
                or now + delay > delivery.created_at + timedelta(hours=settings.WEBHOOK_RETRY_HOURS))
        if over:
            if delivery.status != WebhookDelivery.Status.SUCCEEDED:
                delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + delay
        delivery.save()
        return None if over else delay


def _endpoint_disable(*, endpoint: WebhookEndpoint, now: datetime) -> None:
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = "failing for 24 hours"
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING).exclude(
        attempts_count=0).update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
    audit_record(action="webhook.disabled", schema_name=connection.schema_name, target=endpoint,
                 before={"is_active": True}, after={"is_active": False, "reason": endpoint.disabled_reason})
    schema_name = connection.schema_name
    endpoint_id = endpoint.pk
    transaction.on_commit(lambda: webhook_disabled_tell(schema_name=schema_name, endpoint_id=endpoint_id))


def webhook_disabled_tell(*, schema_name: str, endpoint_id: int) -> int:
    """E-mail the organisation's active administrators, each in their language, that an endpoint was disabled.
    Returns how many e-mails were sent."""
    from courses.services.branding import branding_display_name

    with schema_context(schema_name):
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
        if endpoint is None:
            return 0
        host = import_string(settings.TENANT_HOST_READER)(schema_name=schema_name)
        port = f":{settings.PLATFORM_URL_PORT}" if settings.PLATFORM_URL_PORT and ":" not in host else ""
        parts = urlsplit(endpoint.url)
        # Named without its scheme: the e-mail's only link is the page of the endpoint.
        context = {"organisation": branding_display_name(), "endpoint": f"{parts.netloc}{parts.path}",
                   "hours": settings.WEBHOOK_DISABLE_AFTER_HOURS,
                   "page_url": f"{settings.PLATFORM_URL_SCHEME}://{host}{port}/integrations/webhooks/{endpoint.pk}/"}
        by_language: dict[str, list[str]] = {}
        for admin in administrators_active():
            by_language.setdefault(language_supported(admin.language), []).append(admin.email)
        return sum(email_send(to=emails, template="integrations/emails/webhook_disabled", context=context,
                              language=language) for language, emails in sorted(by_language.items()))


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send a delivery once more, now, as it was (same event id), whatever its status; logged as manual."""
    if delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts_count == 0:
        raise ConflictError(_("This delivery has not been attempted yet."))
    audit_record(action="webhook.delivery_replayed", actor=actor, schema_name=connection.schema_name,
                 target=delivery.endpoint, after={"delivery": delivery.pk, "event": str(delivery.event.event_id)})
    schema_name = connection.schema_name
    transaction.on_commit(lambda: _deliveries_queue(schema_name=schema_name, delivery_ids=[delivery.pk], manual=True))
    return delivery
