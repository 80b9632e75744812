"""DRF permissions by persona (SPEC §1). A view on the platform host checks IsOperator; views on a
tenant host check the role of the user of that tenant's schema."""

from django.conf import settings
from django.db import connection
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


def on_platform_host() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME


class IsOperator(BasePermission):
    message = "Only platform operators can do this."

    def has_permission(self, request: Request, view: object) -> bool:
        user = request.user
        return bool(on_platform_host() and user and user.is_authenticated and user.is_operator)


class IsTenantAdministrator(BasePermission):
    message = "Only the organisation's administrators can do this."

    def has_permission(self, request: Request, view: object) -> bool:
        user = request.user
        return bool(not on_platform_host() and user and user.is_authenticated and user.is_tenant_admin)


class IsInstructorOrAdministrator(BasePermission):
    message = "Only instructors and administrators can do this."

    def has_permission(self, request: Request, view: object) -> bool:
        user = request.user
        return bool(not on_platform_host() and user and user.is_authenticated
                    and user.role in {"administrator", "instructor"})


class IsTenantMember(BasePermission):
    message = "Sign in with an account of this organisation."

    def has_permission(self, request: Request, view: object) -> bool:
        user = request.user
        return bool(not on_platform_host() and user and user.is_authenticated)
