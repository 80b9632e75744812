"""Host -> tenant routing with a per-process cache of the lookup (SPEC §5 tenancy overhead).

Custom domains (SPEC R1) route once verified and approved without being listed in ALLOWED_HOSTS:
approval creates a `Domain` row with `verified_at` set, and a host outside ALLOWED_HOSTS is accepted
only when it is such a row. For that request `request.get_host()` then returns the host, so CSRF
origin checks and absolute URLs work on it; every other host outside ALLOWED_HOSTS still answers 404.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_tenant_domain_model, remove_www

# hostname -> (expiry, tenant, the domain is a verified custom domain)
_cache: dict[str, tuple[float, object, bool]] = {}


def tenant_cache_clear() -> None:
    """Forget every cached host -> tenant lookup of this process (tests, state changes)."""
    _cache.clear()


class CachedTenantMiddleware(TenantMainMiddleware):
    """django-tenants' middleware, with the domain lookup cached for TENANT_CACHE_SECONDS, verified
    custom domains accepted outside ALLOWED_HOSTS, and a readable 404 page for a host that belongs to
    no tenant (never a 500)."""

    def get_tenant(self, domain_model, hostname):  # type: ignore[no-untyped-def]
        return self._lookup(domain_model, hostname)[0]

    def _lookup(self, domain_model, hostname: str) -> tuple[object, bool]:  # type: ignore[no-untyped-def]
        """(tenant, whether `hostname` is a verified custom domain); raises DoesNotExist."""
        ttl = settings.TENANT_CACHE_SECONDS
        now = time.monotonic()
        hit = _cache.get(hostname)
        if ttl and hit is not None and hit[0] > now:
            return hit[1], hit[2]
        domain = domain_model.objects.select_related("tenant").get(domain=hostname)
        verified = domain.verified_at is not None
        if ttl:
            _cache[hostname] = (now + ttl, domain.tenant, verified)
        return domain.tenant, verified

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        domain_model = get_tenant_domain_model()
        try:
            host = request.get_host()
            listed = True
        except DisallowedHost:
            host = request._get_raw_host()
            listed = False
        hostname = remove_www(split_domain_port(host)[0])
        if not hostname:
            return self._unknown_host(request)
        try:
            # The domain table is in `public`, which is on every search_path: no switch needed.
            tenant, verified_custom = self._lookup(domain_model, hostname)
        except domain_model.DoesNotExist:
            connection.set_schema_to_public()
            return self._unknown_host(request)
        if not listed:
            if not verified_custom:
                return self._unknown_host(request)
            # This request's host is allowed: later get_host() calls (CSRF, redirects) return it.
            request.get_host = lambda: host  # type: ignore[method-assign]
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
