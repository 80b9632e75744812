"""How the OpenAPI schema names and documents things (drf-spectacular), in one place for every app.

- Component names are unique: a serializer nested in a view is named after the view (`MeApi.OutputSerializer`
  → `MeOutput`, `TokenObtainApi.OutputSerializer` → `TokenObtainOutput`); nested classes share their short
  names across views, and two components of one name would make one operation document the other's answer.
- Every operation documents its errors: any 4XX answer has the body `{"error": {"code", "message", "details"}}`
  (`mooc_platform.errors.api_exception_handler`, SPEC §4)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from mooc_platform.errors import Code


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        cls = serializer.__class__
        *outer, inner = cls.__qualname__.split(".")
        if outer and outer[-1] != "<locals>":
            return outer[-1].removesuffix("Api") + inner.removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"error": {
        "type": "object",
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "details": {"type": "object", "additionalProperties": True}},
        "required": ["code", "message", "details"],
    }},
    "required": ["error"],
}


def errors_document(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the `Error` component and a `4XX` answer on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("4XX", {
                    "description": "The request was refused: `error.code` says why (SPEC §4).",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                })
    return result


# --- Error answers by status (issue 17 item 4) ----------------------------------------------------------------

ERROR_EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("The input was refused: `details` names each field in error.",
            {"code": Code.VALIDATION_ERROR, "message": "Invalid input.",
             "details": {"email": ["Enter a valid email address."]}}),
    "401": ("No valid credentials (`Authorization: Token …` or `Api-Key …`).",
            {"code": Code.NOT_AUTHENTICATED, "message": "Authentication credentials were not provided.",
             "details": {}}),
    "403": ("Authenticated, but not allowed: another role, or an API key without the scope.",
            {"code": Code.FORBIDDEN, "message": "You do not have permission to perform this action.", "details": {}}),
    "404": ("No such object here (another organisation's objects do not exist on this host).",
            {"code": Code.NOT_FOUND, "message": "Not found.", "details": {}}),
    "429": ("Too many requests: retry after `RateLimit-Reset` seconds (API keys) or later.",
            {"code": Code.THROTTLED, "message": "Request was throttled.", "details": {"wait": 30}}),
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error_response(status: str) -> dict[str, Any]:
    description, example = ERROR_EXAMPLES[status]
    return {"description": description, "content": {"application/json": {
        "schema": ERROR_REF, "examples": {example["code"]: {"value": {"error": example}}}}}}


def _anonymous_allowed(operation: dict[str, Any]) -> bool:
    return any(requirement == {} for requirement in operation.get("security", [{}]))


def error_statuses_document(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (after `errors_document`): besides the `4XX` catch-all, each operation
    documents the error answers it can give, each with the error envelope and an example: 400 when it takes
    input, 401 and 403 when it needs credentials, 404 when its path names an object, 429 always."""
    for path, path_item in result.get("paths", {}).items():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = ["429"]
            if "requestBody" in operation or any(p.get("in") == "query" for p in operation.get("parameters", [])):
                statuses.append("400")
            if not _anonymous_allowed(operation):
                statuses += ["401", "403"]
            if "{" in path:
                statuses.append("404")
            for status in sorted(statuses):
                operation["responses"].setdefault(status, _error_response(status))
    return result


# --- Tags: one per resource, described (issue 17 item 4) --------------------------------------------------------

TAG_DESCRIPTIONS = {
    "api-keys": "Named, scoped, expiring keys of the organisation's integrations (administrators).",
    "audit-events": "Who changed what, when (append-only).",
    "auth": "Obtain a token with an e-mail and a password.",
    "billing": "The organisation's subscription, invoices and billing identity.",
    "branding": "The organisation's name, colours, logo and language.",
    "categories": "Catalogue categories.",
    "certificates": "Certificates of achievement, and their public verification.",
    "claims": "Claims filed by customer administrators and the operators' answers (GCS art. 13).",
    "cohorts": "Cohorts: groups of the organisation's users (by hand or from a CSV of e-mails), enrolled together "
               "in courses with access dates and in learning paths (instructors and administrators).",
    "courses": "Courses, their modules, publication, invitations, discussion, analytics and IMS Common Cartridge "
               "exports.",
    "custom-domains": "The organisation's own domain names.",
    "customers": "Customers' balances (operators).",
    "enrollments": "Enrolments and progress.",
    "exports": "Exports of the organisation's whole data.",
    "invoices": "Invoices, credit notes, payments and PDFs (operators).",
    "learning-paths": "Learning paths: ordered courses published to learners, who enrol in them and earn the "
                      "path's certificate once every course's certificate is earned.",
    "lessons": "Lessons, their media, questions, completion and quiz attempts.",
    "maintenance-windows": "Planned maintenance (announced 48 hours ahead).",
    "me": "The signed-in user: profile, tokens, own data.",
    "moderation": "Reported discussion posts.",
    "notifications": "What the signed-in user is told of, read or unread, and their choice of kinds and e-mails.",
    "modules": "Course modules.",
    "payment-webhooks": "Notifications of the payment provider.",
    "plans": "Plans and prices (operators).",
    "posts": "Discussion posts: report, hide, restore.",
    "questions": "Quiz questions.",
    "quiz-attempts": "Quiz attempts and their submission.",
    "quote-signatures": "Signing a quote (no account).",
    "quotes": "Quotes and their sending (operators).",
    "sla-reports": "Availability reports (GCS art. 8).",
    "sso": "Single sign-on: the organisation's identity providers (OpenID Connect, SAML 2.0) and sign-in policy.",
    "support-access-grants": "The customer's consent to the operators' support access (GCS art. 5).",
    "tenant": "The organisation itself.",
    "tenants": "Tenants and their lifecycle: suspension, reinstatement, termination (operators).",
    "uploads": "Direct uploads of media to object storage.",
    "users": "The organisation's users: invitations, import, roles, deactivation.",
    "webhooks": "Outgoing webhook endpoints and their delivery log; the payloads are under `x-webhooks`.",
    "xapi": "Learner records as xAPI statements to the organisation's Learning Record Store.",
}


def tags_document(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the top-level `tags` list, one described tag per resource used."""
    used = sorted({tag for path_item in result.get("paths", {}).values() for operation in path_item.values()
                   if isinstance(operation, dict) for tag in operation.get("tags", [])})
    result["tags"] = [{"name": tag, "description": TAG_DESCRIPTIONS.get(tag, tag.replace("-", " ").capitalize())}
                      for tag in used]
    return result


# --- Examples (issue 17 item 4) -------------------------------------------------------------------------------

_STRING_BY_FORMAT = {
    "date-time": "2026-12-02T10:00:00Z", "date": "2026-12-02", "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "ada.lovelace@example.edu", "uri": "https://example.edu/resource", "binary": "…",
    "password": "correct-horse-battery-staple", "decimal": "120.00", "ipv4": "192.0.2.10",
}
CERTIFICATE_CODE_EXAMPLE = "7F3A9C21D4E5B6A8"
_STRING_BY_NAME = {
    "email": "ada.lovelace@example.edu", "full_name": "Ada Lovelace", "holder_name": "Ada Lovelace",
    "title": "Introduction to statistics", "course_title": "Introduction to statistics", "name": "Reporting",
    "url": "https://example.edu/resource", "currency": "EUR", "language": "en", "slug": "intro-statistics",
    "code": CERTIFICATE_CODE_EXAMPLE, "token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "number": "F2026-000042",
    "message": "Hello", "body": "Hello", "description": "Our LMS", "reason": "Requested by the customer",
    "summary": "Upgrade of the database", "text": "2 + 2?", "status": "active", "role": "learner",
    "domain": "learn.example.edu", "secret": "whsec_3q2-7wE9…", "key": "mk_ab12cd34_…",
}
MAX_DEPTH = 8


class _Examples:
    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components

    def example(self, schema: dict[str, Any], *, direction: str, name: str = "", depth: int = 0) -> Any:
        """A value conforming to `schema` (readOnly fields left out of requests, writeOnly out of responses)."""
        if "$ref" in schema:
            target = self.components.get(schema["$ref"].rsplit("/", 1)[1], {})
            return self.example(target, direction=direction, name=name, depth=depth + 1)
        if "example" in schema:
            return schema["example"]
        for combinator in ("allOf", "oneOf", "anyOf"):
            if schema.get(combinator):
                if combinator == "allOf" and len(schema["allOf"]) > 1:
                    merged: dict[str, Any] = {}
                    for part in schema["allOf"]:
                        value = self.example(part, direction=direction, name=name, depth=depth + 1)
                        if isinstance(value, dict):
                            merged.update(value)
                    return merged
                return self.example(schema[combinator][0], direction=direction, name=name, depth=depth + 1)
        if "enum" in schema:
            values = [v for v in schema["enum"] if v is not None]
            return values[0] if values else None
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            if depth > MAX_DEPTH:
                return {}
            skip = "readOnly" if direction == "request" else "writeOnly"
            return {key: self.example(value, direction=direction, name=key, depth=depth + 1)
                    for key, value in schema.get("properties", {}).items() if not value.get(skip)}
        if kind == "array":
            if depth > MAX_DEPTH:
                return []
            item = self.example(schema.get("items", {}), direction=direction, name=name, depth=depth + 1)
            return [item] * max(1, schema.get("minItems", 1))
        if kind == "integer":
            value = 42 if not name.endswith("_count") else 3
            return max(schema.get("minimum", value), min(schema.get("maximum", value), value))
        if kind == "number":
            return max(schema.get("minimum", 12.5), min(schema.get("maximum", 12.5), 12.5))
        if kind == "boolean":
            return True
        if kind == "string":
            value = _STRING_BY_FORMAT.get(schema.get("format", "")) or _STRING_BY_NAME.get(name)
            if value is None and schema.get("pattern", "").startswith("^-?\\d"):
                value = "120.00"
            value = value or "string"
            if "maxLength" in schema:
                value = value[:schema["maxLength"]]
            if len(value) < schema.get("minLength", 0):
                value = value.ljust(schema["minLength"], "x")
            return value
        return None


def _json_content(item: dict[str, Any]) -> dict[str, Any] | None:
    content = item.get("content", {})
    return content.get("application/json")


def examples_document(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every JSON request body and 2XX JSON answer without a hand-written
    example gets one built from its schema, so the documentation shows a real body for every operation."""
    examples = _Examples(result.get("components", {}).get("schemas", {}))
    # The webhook payloads (`x-webhooks`, integrations.openapi) are request bodies too.
    for path_item in [*result.get("paths", {}).values(), *result.get("x-webhooks", {}).values()]:
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            body = _json_content(operation.get("requestBody", {}))
            if body is not None and "schema" in body and not body.get("examples"):
                body["examples"] = {"example": {"value": examples.example(body["schema"], direction="request")}}
            for status, response in operation.get("responses", {}).items():
                media = _json_content(response)
                if status.startswith("2") and media is not None and "schema" in media and not media.get("examples"):
                    media["examples"] = {"example": {"value": examples.example(media["schema"],
                                                                               direction="response")}}
    return result
