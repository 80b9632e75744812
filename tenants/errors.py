"""The tenants app's API error codes (STYLE 6): the one catalogue of the codes it answers with."""

from __future__ import annotations

from mooc_platform.errors import Code as BaseCode


class Code(BaseCode):
    """The tenants app's API error codes, with the shared ones of `mooc_platform.errors.Code`."""

    ALREADY_REVOKED = "already_revoked"
    CUSTOM_DOMAINS_NOT_INCLUDED = "custom_domains_not_included"
    DOMAIN_NOT_VERIFIED = "domain_not_verified"
    DOMAIN_TAKEN = "domain_taken"
    EXPORT_IN_PROGRESS = "export_in_progress"
    EXPORT_UNAVAILABLE = "export_unavailable"
    ILLEGAL_TRANSITION = "illegal_transition"
    INVALID_DOMAIN = "invalid_domain"
    INVALID_LIMIT = "invalid_limit"
    INVALID_EXPIRY = "invalid_expiry"
    INVALID_SCOPE = "invalid_scope"
    INVALID_NAME = "invalid_name"
    INVALID_NODE = "invalid_node"
    INVALID_SLUG = "invalid_slug"
    NOT_DISTRIBUTED = "not_distributed"
    PURGE_REFUSED = "purge_refused"
    SLUG_TAKEN = "slug_taken"
    SUPPORT_ACCESS_NOT_GRANTED = "support_access_not_granted"
    TEMPLATE_NOT_MIGRATED = "template_not_migrated"
    TENANT_ACCESS_ENDED = "tenant_access_ended"
    TENANT_SUSPENDED = "tenant_suspended"
    TENANT_TERMINATED = "tenant_terminated"
