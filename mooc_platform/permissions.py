"""DRF permissions by persona (SPEC §1): defined in mooc_platform.accounts.permissions, with the
page guards that share their predicates; re-exported here for the API modules."""

from mooc_platform.accounts.permissions import (
    IsCourseStaff,
    IsOperator,
    IsTenantAdministrator,
    IsTenantMember,
    on_platform_host,
)

__all__ = ["IsCourseStaff", "IsOperator", "IsTenantAdministrator", "IsTenantMember", "on_platform_host"]
