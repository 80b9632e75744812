"""Host -> tenant routing with a per-process cache of the lookup (SPEC §5 tenancy overhead)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_tenant_domain_model, remove_www

_cache: dict[str, tuple[float, object]] = {}


def tenant_cache_clear() -> None:
    """Forget every cached host -> tenant lookup of this process (tests, state changes)."""
    _cache.clear()


class CachedTenantMiddleware(TenantMainMiddleware):
    """django-tenants' middleware, with the domain lookup cached for TENANT_CACHE_SECONDS and a
    readable 404 page for a host that belongs to no tenant (never a 500)."""

    def get_tenant(self, domain_model, hostname):  # type: ignore[no-untyped-def]
        ttl = settings.TENANT_CACHE_SECONDS
        now = time.monotonic()
        hit = _cache.get(hostname)
        if ttl and hit is not None and hit[0] > now:
            return hit[1]
        tenant = domain_model.objects.select_related("tenant").get(domain=hostname).tenant
        if ttl:
            _cache[hostname] = (now + ttl, tenant)
        return tenant

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            hostname = remove_www(request.get_host().split(":")[0])
        except DisallowedHost:
            return self._unknown_host(request)
        domain_model = get_tenant_domain_model()
        try:
            # The domain table is in `public`, which is on every search_path: no switch needed.
            tenant = self.get_tenant(domain_model, hostname)
        except domain_model.DoesNotExist:
            connection.set_schema_to_public()
            return self._unknown_host(request)
        tenant.domain_url = hostname
        request.tenant = tenant
        if connection.schema_name == tenant.schema_name:
            # Same schema as this connection's last request: keep its search_path (set once, with
            # TENANT_LIMIT_SET_CALLS) instead of a `SET search_path` per request.
            connection.tenant = tenant
        else:
            connection.set_tenant(tenant)
        self.setup_url_routing(request)
        return None

    @staticmethod
    def _unknown_host(request: HttpRequest) -> HttpResponse:
        return render(request, "unknown_host.html", {"platform_domain": settings.PLATFORM_DOMAIN}, status=404)
