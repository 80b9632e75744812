"""Tenancy overhead (SPEC §5): a tenant API list endpoint through our middleware vs the same view
without tenancy, and vs django-tenants' stock middleware, measured in the same run.

    make bench                       # every benchmark
    .venv/bin/python bench/tenancy.py [--requests 2000]

"plain" serves GET /api/v1/courses/ with the tenant urlconf and a search_path set once, no tenant
middleware at all: the cost of the view alone. Target: ours ≤ 1.15 × plain (stock: 2.7 × in SPEC §5).
"""

from __future__ import annotations

import argparse

from _setup import django_setup, median_ms, table, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    django_setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django_tenants.utils import schema_context
    from rest_framework.authtoken.models import Token

    from mooc_platform.accounts.models import User
    from tenants.models import Tenant

    def headers_for(slug: str) -> dict[str, str]:
        tenant = Tenant.objects.get(slug=slug)
        with schema_context(tenant.schema_name):
            token = Token.objects.get_or_create(user=User.objects.get(email=f"admin@{slug}.test"))[0].key
        return {"HTTP_HOST": tenant.get_primary_domain().domain, "HTTP_AUTHORIZATION": f"Token {token}"}

    demo = Tenant.objects.get(slug="demo")
    host = demo.get_primary_domain().domain
    headers = headers_for("demo")
    alternating = [headers, headers_for("acme")]
    without_tenancy = [m for m in settings.MIDDLEWARE if m != "mooc_platform.middleware.CachedTenantMiddleware"]

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

    plain = variant(without_tenancy, preset_schema=True)
    ours = variant(settings.MIDDLEWARE, preset_schema=False)
    stock = variant(["django_tenants.middleware.main.TenantMainMiddleware", *without_tenancy], preset_schema=False)
    ours_alternating = variant(settings.MIDDLEWARE, preset_schema=False, hosts=alternating)
    base = median_ms(plain)
    rows = [
        ("plain (no tenancy)", f"{base:.3f}", "1.00"),
        ("ours (CachedTenantMiddleware)", f"{median_ms(ours):.3f}", f"{median_ms(ours) / base:.2f}"),
        ("ours, demo and acme alternating", f"{median_ms(ours_alternating):.3f}",
         f"{median_ms(ours_alternating) / base:.2f}"),
        ("django-tenants stock middleware", f"{median_ms(stock):.3f}", f"{median_ms(stock) / base:.2f}"),
    ]
    print(f"GET /api/v1/courses/ on {host}, median of {args.requests} requests after warm-up")
    print(table(["variant", "median ms", "× plain"], rows))
    print("target: ours ≤ 1.15 × plain")


if __name__ == "__main__":
    main()
