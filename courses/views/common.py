"""What every page of the learning platform shares: the course lookup and the error message (the role
guards are mooc_platform.accounts.permissions)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from mooc_platform.errors import ApplicationError
from mooc_platform.input_guards import parse_id

from .. import selectors
from ..models import Course

View = Callable[..., HttpResponse]


def _error(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, exc.message)


def _course(request: HttpRequest, slug: str) -> Course:
    return get_object_or_404(selectors.courses_visible(user=request.user), slug=slug)


def _int_or_none(value: str | None) -> int | None:
    return parse_id(value)
