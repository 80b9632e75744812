"""Writes on tenants: provisioning, invitations, the lifecycle, purge, exports, support access, audit.

Business rules live here, found by name (STYLE 1). Each state change runs under `transaction.atomic`
and writes an audit event; e-mails leave on commit, so a rolled-back change never announces itself.
"""

from mooc_platform.audit import audit_record  # re-exported for callers of the former home

from ..selectors import REMINDER_DAYS, RETENTION_DAYS  # the retention rule's figures (SPEC R12, R14)
from .domains import (
    DOMAIN_PATTERN,
    custom_domain_approve,
    custom_domain_request,
    custom_domain_verify,
)
from .edits import (
    InvitationAlreadyAcceptedError,
    custom_domain_remove,
    tenant_admin_invitation_resend,
    tenant_first_administrator,
    tenant_limits_set,
    tenant_rename,
)
from .exports import (
    EXPORTABLE_STATES,
    tenant_export_request,
)
from .lifecycle import (
    IllegalTransitionError,
    LifecycleReport,
    TenantTerminatedError,
    lifecycle_run,
    tenant_access_end,
    tenant_access_extend,
    tenant_cancel,
    tenant_destruction_reminder_send,
    tenant_reinstate,
    tenant_resubscribe,
    tenant_suspend,
    tenant_terminate,
    tenant_termination_lift,
)
from .placement import (
    InvalidNodeError,
    tenant_node_move,
)
from .provisioning import (
    RESERVED_SLUGS,
    SLUG_PATTERN,
    InvalidSlugError,
    platform_tenant_ensure,
    template_schema_ensure,
    tenant_primary_domain,
    tenant_provision,
    tenant_schema_name,
    tenant_slug_validate,
    user_invitation_send,
)
from .purge import (
    PurgeRefusedError,
    _purge_database,
    tenant_purge,
)
from .storage import (
    EXPORTS_FOLDER,
    storage_usage_reconcile,
    storage_usage_reconcile_all,
)
from .support import (
    SUPPORT_GRANT_MAX_DAYS,
    SUPPORT_RESOURCES,
    support_content_read,
    support_grant_create,
    support_grant_revoke,
)

__all__ = [
    "DOMAIN_PATTERN",
    "EXPORTABLE_STATES",
    "EXPORTS_FOLDER",
    "REMINDER_DAYS",
    "RESERVED_SLUGS",
    "RETENTION_DAYS",
    "SLUG_PATTERN",
    "SUPPORT_GRANT_MAX_DAYS",
    "SUPPORT_RESOURCES",
    "IllegalTransitionError",
    "InvalidNodeError",
    "InvalidSlugError",
    "InvitationAlreadyAcceptedError",
    "LifecycleReport",
    "PurgeRefusedError",
    "TenantTerminatedError",
    "_purge_database",
    "audit_record",
    "custom_domain_approve",
    "custom_domain_remove",
    "custom_domain_request",
    "custom_domain_verify",
    "lifecycle_run",
    "platform_tenant_ensure",
    "storage_usage_reconcile",
    "storage_usage_reconcile_all",
    "support_content_read",
    "support_grant_create",
    "support_grant_revoke",
    "template_schema_ensure",
    "tenant_access_end",
    "tenant_access_extend",
    "tenant_admin_invitation_resend",
    "tenant_cancel",
    "tenant_destruction_reminder_send",
    "tenant_export_request",
    "tenant_first_administrator",
    "tenant_limits_set",
    "tenant_node_move",
    "tenant_primary_domain",
    "tenant_provision",
    "tenant_purge",
    "tenant_reinstate",
    "tenant_rename",
    "tenant_resubscribe",
    "tenant_schema_name",
    "tenant_slug_validate",
    "tenant_suspend",
    "tenant_terminate",
    "tenant_termination_lift",
    "user_invitation_send",
]
