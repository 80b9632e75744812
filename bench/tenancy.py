"""Tenancy overhead (SPEC §5): a tenant API list endpoint through our middleware vs the same view
without tenancy, and vs django-tenants' stock middleware, measured in the same run.

    make bench                       # every benchmark
    .venv/bin/python bench/tenancy.py [--requests 2000]

"plain" serves GET /api/v1/courses/ with the tenant urlconf, a search_path set once and the tenant
attached to the request without any lookup (so the tenant-aware middlewares after routing do the same
work in every variant): the cost of the view alone. Each variant runs twice, interleaved, and the
better median counts (this 2-core machine is noisy). Target: ours ≤ 1.15 × plain (stock: 2.7 × in SPEC §5).
"""

from __future__ import annotations

import argparse

from _setup import django_setup, median_ms, results_write, table, timed

_FIXED_TENANT = None


class FixedTenantMiddleware:
    """The "no tenancy" baseline: always the same tenant, no host lookup, no schema switch."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        request.tenant = _FIXED_TENANT
        return self.get_response(request)


def main() -> None:
    global _FIXED_TENANT
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    django_setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django_tenants.utils import schema_context

    from mooc_platform.accounts.models import User
    from mooc_platform.accounts.tokens import token_issue
    from tenants.models import Tenant

    def headers_for(slug: str) -> dict[str, str]:
        tenant = Tenant.objects.get(slug=slug)
        with schema_context(tenant.schema_name):
            token = token_issue(user=User.objects.get(email=f"admin@{slug}.test"))[1]
        return {"HTTP_HOST": tenant.get_primary_domain().domain, "HTTP_AUTHORIZATION": f"Token {token}"}

    demo = Tenant.objects.get(slug="demo")
    _FIXED_TENANT = demo
    host = demo.get_primary_domain().domain
    headers = headers_for("demo")
    alternating = [headers, headers_for("acme")]
    without_tenancy = [m for m in settings.MIDDLEWARE if m != "tenants.routing.CachedTenantMiddleware"]

    def variant(middleware: list[str], *, preset_schema: bool, hosts: list[dict[str, str]] | None = None
                ) -> list[float]:
        sequence = hosts or [headers]
        counter = iter(range(10**9))
        with override_settings(MIDDLEWARE=middleware):
            client = Client()
            if preset_schema:
                connection.set_tenant(demo)
            else:
                connection.set_schema_to_public()

            def one() -> None:
                response = client.get("/api/v1/courses/", **sequence[next(counter) % len(sequence)])
                assert response.status_code == 200, response.status_code

            return timed(one, repeat=args.requests)

    plain_middleware = ["__main__.FixedTenantMiddleware", *without_tenancy]
    stock_middleware = ["django_tenants.middleware.main.TenantMainMiddleware", *without_tenancy]
    best: dict[str, float] = {}
    for _ in range(2):
        for name, run in (
            ("plain", lambda: variant(plain_middleware, preset_schema=True)),
            ("ours", lambda: variant(settings.MIDDLEWARE, preset_schema=False)),
            ("alternating", lambda: variant(settings.MIDDLEWARE, preset_schema=False, hosts=alternating)),
            ("stock", lambda: variant(stock_middleware, preset_schema=False)),
        ):
            best[name] = min(best.get(name, float("inf")), median_ms(run()))
    base = best["plain"]
    rows = [
        ("plain (no tenancy)", f"{base:.3f}", "1.00"),
        ("ours (CachedTenantMiddleware)", f"{best['ours']:.3f}", f"{best['ours'] / base:.2f}"),
        ("ours, demo and acme alternating", f"{best['alternating']:.3f}", f"{best['alternating'] / base:.2f}"),
        ("django-tenants stock middleware", f"{best['stock']:.3f}", f"{best['stock'] / base:.2f}"),
    ]
    text = (f"GET /api/v1/courses/ on {host}, best of 2 medians of {args.requests} requests after warm-up\n"
            + table(["variant", "median ms", "× plain"], rows) + "\ntarget: ours ≤ 1.15 × plain")
    print(text)
    results_write("tenancy", text)


if __name__ == "__main__":
    main()
