"""What every page of the learning platform shares: the role guards and the course lookup."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError

from .. import selectors
from ..models import Course

View = Callable[..., HttpResponse]


def roles_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles:
                return render(request, "courses/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = roles_required(User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR)


admin_required = roles_required(User.Role.ADMINISTRATOR)


def _error(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, exc.message)


def _course(request: HttpRequest, slug: str) -> Course:
    return get_object_or_404(selectors.courses_visible(user=request.user), slug=slug)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None
