"""Pagination of the API views that list (APIViews paginate by hand): one helper, and its schema declared with it.

A view whose `GET` answers a page mixes in `PaginatedListMixin` and returns `paginated_response(...)`. The helper
paginates with the view's `pagination_class`, the very attribute drf-spectacular reads: with
`@extend_schema(responses=Output(many=True))` the operation is documented as `Paginated<Output>List` —
`{count, next, previous, results}` — with its `page` parameter, exactly what the helper answers (a view without
the mixin cannot call it). Generic views (`ListAPIView`) get the same class from
`REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]`."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView


class PaginatedListMixin:
    """For APIViews (not generic views) whose `GET` answers a page of results."""

    pagination_class: type[BasePagination] = api_settings.DEFAULT_PAGINATION_CLASS


def paginated_response(*, queryset: Any, serializer_class: type[serializers.Serializer], request: Request,
                       view: APIView, context: dict[str, Any] | None = None) -> Response:
    """One page of `queryset` as `{"count", "next", "previous", "results"}` (`?page=N`, PAGE_SIZE)."""
    paginator = view.pagination_class()  # type: ignore[attr-defined]  # PaginatedListMixin
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)
