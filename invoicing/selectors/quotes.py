"""Reads of quotes."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Quote


def platform_quotes_list(*, status: str | None = None) -> QuerySet[Quote]:
    quotes = Quote.objects.select_related("plan_price__plan").prefetch_related("lines").order_by("-id")
    return quotes.filter(status=status) if status else quotes


def quote_by_token(*, token: str) -> Quote | None:
    return (Quote.objects.select_related("plan_price__plan", "terms").prefetch_related("lines").filter(token=token)
            .first())
