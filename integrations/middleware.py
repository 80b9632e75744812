"""`RateLimit-*` headers on the answers to requests authenticated by an API key (IETF draft ratelimit-headers)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .authentication import RATE_LIMIT_ATTRIBUTE


class RateLimitHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        rate = getattr(request, RATE_LIMIT_ATTRIBUTE, None)
        if rate is not None:
            response["RateLimit-Limit"] = str(rate.limit)
            response["RateLimit-Remaining"] = str(max(rate.remaining, 0))
            response["RateLimit-Reset"] = str(rate.reset)
        return response
