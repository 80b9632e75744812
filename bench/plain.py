"""The "plain Django without tenancy" baseline of bench/load.py: no host lookup, no schema switch.
Every request is served as the one tenant BENCH_PLAIN_SCHEMA names (its search_path set once per
connection), whatever its Host, so the views and the middlewares after routing do the same work as in
the tenant-routed server. Used through `bench.plain_settings`."""

from __future__ import annotations

import os

from django.db import connection
from django.http import HttpRequest, HttpResponse


class FixedTenantMiddleware:
    tenant = None

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if FixedTenantMiddleware.tenant is None:
            from tenants.models import Tenant

            FixedTenantMiddleware.tenant = Tenant.objects.get(schema_name=os.environ["BENCH_PLAIN_SCHEMA"])
        tenant = FixedTenantMiddleware.tenant
        request.tenant = tenant
        if connection.schema_name != tenant.schema_name:
            connection.set_tenant(tenant)
        return self.get_response(request)
