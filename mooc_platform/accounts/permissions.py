"""Who may do what, by persona (SPEC §1): the one home of the permission checks.

Three tenant personas, each one predicate on the user — a member of the organisation, course staff
(`User.is_course_staff`: administrators and instructors), an administrator (`User.is_tenant_admin`) —
and the platform's operators. Each has a DRF permission (`IsTenantMember`, `IsCourseStaff`,
`IsTenantAdministrator`, `IsOperator`) and each tenant persona a page guard (`member_required`,
`course_staff_required`, `administrator_required`): 404 off a tenant host, the login page for an
anonymous visitor, a 403 page for a user whose role does not allow it. `mooc_platform.permissions`
re-exports the DRF classes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

View = Callable[..., HttpResponse]


def on_platform_host() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME


def _member(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def _course_staff(user: Any) -> bool:
    return _member(user) and user.is_course_staff


def _administrator(user: Any) -> bool:
    return _member(user) and user.is_tenant_admin


# --- API (DRF) -------------------------------------------------------------------------------------


class IsOperator(BasePermission):
    message = "Only platform operators can do this."

    def has_permission(self, request: Request, view: object) -> bool:
        return bool(on_platform_host() and _member(request.user) and request.user.is_operator)


class IsTenantMember(BasePermission):
    message = "Sign in with an account of this organisation."

    def has_permission(self, request: Request, view: object) -> bool:
        return not on_platform_host() and _member(request.user)


class IsCourseStaff(BasePermission):
    message = "Only instructors and administrators can do this."

    def has_permission(self, request: Request, view: object) -> bool:
        return not on_platform_host() and _course_staff(request.user)


class IsTenantAdministrator(BasePermission):
    message = "Only the organisation's administrators can do this."

    def has_permission(self, request: Request, view: object) -> bool:
        return not on_platform_host() and _administrator(request.user)


# --- Pages -----------------------------------------------------------------------------------------


def _page_guard(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if on_platform_host():
                raise Http404
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                return render(request, "accounts/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


member_required = _page_guard(_member)
course_staff_required = _page_guard(_course_staff)
administrator_required = _page_guard(_administrator)
