"""Pagination of the API views that list (APIViews paginate by hand): one helper and its schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def paginated_response(*, queryset: Any, serializer_class: type[serializers.Serializer], request: Request,
                       view: APIView, context: dict[str, Any] | None = None) -> Response:
    """One page of `queryset` as `{"count", "next", "previous", "results"}` (`?page=N`, PAGE_SIZE)."""
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


def paginated_schema(name: str, item: serializers.Serializer) -> serializers.Serializer:
    """The OpenAPI schema of such a page, for `extend_schema(responses=…)`."""
    return inline_serializer(name=name, fields={
        "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True), "results": item,
    })
