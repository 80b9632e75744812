"""The webhook payloads in the OpenAPI schema (issue 17 item 3): one component per event, an `x-webhooks` section
(OpenAPI 3.0 has no `webhooks` key; ReDoc and most tools read the extension) and the verification recipe in the
API description."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.generics import GenericAPIView

from .events import EVENT_DATA, EVENT_LABELS

VERIFICATION = """

## Webhooks: signature and verification

Every delivery is a `POST` with a JSON body `{"id", "type", "created_at", "tenant", "data"}` and the headers
`Webhook-Id` (the event's id: the same on every retry and replay, deduplicate on it), `Webhook-Timestamp` (Unix
seconds when this attempt was signed) and `Webhook-Signature: v1=<hex>`, the HMAC-SHA256 under the endpoint's
`secret` of the timestamp, a dot and the raw body: `HMAC_SHA256(secret, f"{timestamp}.{raw_body}")`.

To verify: recompute the HMAC over the raw bytes received, compare it with `hmac.compare_digest`, and refuse the
request when `|now - timestamp| > 300` seconds (a captured request cannot be replayed later); ignore an id
already processed. Answer any 2XX within 10 seconds. Any other answer (or none) is retried with exponential
backoff (30 s, 1 min, 2 min, … capped at 2 h) for 24 hours; an endpoint failing for 24 hours is disabled and
the administrators are e-mailed.

## API keys

`Authorization: Api-Key mk_<prefix>_<secret>` (created at `/api/v1/api-keys/`). A key has scopes (`read`, `users`,
`enrollments`, `courses`, `certificates`, `webhooks`) and a rate limit per minute; every answer to a key carries
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds). A refused scope is a 403
`api_key_scope_missing`, a spent limit a 429 `throttled`, in the error envelope."""


def webhooks_document(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (tenant schema only: where `/api/v1/webhooks/` is)."""
    if not any(path.startswith("/api/v1/webhooks/") for path in result.get("paths", {})):
        return result
    info = result.setdefault("info", {})
    if VERIFICATION not in info.get("description", ""):
        info["description"] = info.get("description", "") + VERIFICATION
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    auto = AutoSchema()
    auto.registry = generator.registry
    auto.method = "GET"
    auto.path = "/"
    auto.view = GenericAPIView()
    auto.view.request, auto.view.format_kwarg = None, None
    webhooks: dict[str, Any] = {}
    for event_type, serializer in EVENT_DATA.items():
        component = auto.resolve_serializer(serializer(), "response")
        if isinstance(component, ResolvedComponent) and component.schema is not None:
            schemas[component.name] = component.schema
        name = "WebhookEvent" + "".join(part.title() for part in event_type.replace("_", ".").split("."))
        schemas[name] = {
            "type": "object",
            "description": str(EVENT_LABELS[event_type]),
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "type": {"type": "string", "enum": [event_type]},
                "created_at": {"type": "string", "format": "date-time"},
                "tenant": {"type": "string", "description": "The organisation (schema name)."},
                "data": {"$ref": f"#/components/schemas/{component.name}"},
            },
            "required": ["id", "type", "created_at", "tenant", "data"],
        }
        webhooks[event_type] = {"post": {
            "summary": str(EVENT_LABELS[event_type]),
            "tags": ["webhooks"],
            "parameters": [
                {"name": "Webhook-Id", "in": "header", "required": True, "schema": {"type": "string"}},
                {"name": "Webhook-Timestamp", "in": "header", "required": True, "schema": {"type": "integer"}},
                {"name": "Webhook-Signature", "in": "header", "required": True, "schema": {"type": "string"},
                 "description": "v1=<hex HMAC-SHA256 of \"<timestamp>.<body>\">"},
            ],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
            "responses": {"2XX": {"description": "Received; any other answer is retried."}},
        }}
    # The payloads' nested serializers (UserData, InvoiceData…) were registered while resolving: emit them too,
    # or their references would dangle.
    for component in generator.registry._components.values():
        if component.type == ResolvedComponent.SCHEMA and component.schema is not None:
            schemas.setdefault(component.name, component.schema)
    result["x-webhooks"] = webhooks
    return result
