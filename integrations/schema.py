"""How drf-spectacular documents the API-key authentication (a security scheme of the OpenAPI schema)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Api-Key mk_<prefix>_<secret>`: an API key of the organisation, limited to its "
                               "scopes and rate limit (RateLimit-* headers)."}
