"""How the OpenAPI schema names and documents things (drf-spectacular), in one place for every app.

- Component names are unique: a serializer nested in a view is named after the view (`MeApi.OutputSerializer`
  → `MeOutput`, `TokenObtainApi.OutputSerializer` → `TokenObtainOutput`); nested classes share their short
  names across views, and two components of one name would make one operation document the other's answer.
- Every operation documents its errors: any 4XX answer has the body `{"error": {"code", "message", "details"}}`
  (`mooc_platform.errors.api_exception_handler`, SPEC §4)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


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
