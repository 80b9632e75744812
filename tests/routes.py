"""The routes of a URLconf, read from its patterns, for tests that must cover every page or endpoint: a
route added later is covered (or must be listed as left out) without editing the test.

Used by the fuzzer (tests/fuzz/), the isolation matrix (tests/isolation/) and the page walk
(tests/browser/test_every_page.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from django.urls import URLPattern, URLResolver, get_resolver

# A path converter in a route: `<slug:slug>`, `<id:pk>`, `<uidb64>`.
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")

TENANT_URLCONF = "mooc_platform.urls_tenant"
PLATFORM_URLCONF = "mooc_platform.urls_public"


def routes(urlconf: str) -> list[str]:
    """Every route of `urlconf` as a path pattern ("/courses/<slug:slug>/"), includes resolved, sorted,
    without duplicates. Regex routes keep their pattern without its anchors."""

    def walk(patterns: list, prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield "/" + route.lstrip("^").rstrip("$")

    return sorted(set(walk(get_resolver(urlconf).url_patterns, "")))


def route_params(route: str) -> list[str]:
    """The names of the route's parameters, in order (`["slug", "pk"]`)."""
    return [match.group("name") for match in PARAM.finditer(route)]


def route_fill(route: str, values: Mapping[str, str]) -> str | None:
    """The route with each parameter replaced by `values[name]`; None when a value is missing."""
    if any(name not in values for name in route_params(route)):
        return None
    return PARAM.sub(lambda match: values[match.group("name")], route)
