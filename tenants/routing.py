"""Host -> tenant routing with the lookup kept in Django's cache (SPEC §5 tenancy overhead).

The cache is the `default` alias: this process's memory (LocMemCache) unless CACHE_URL names a shared
one (Redis), so a cached request costs no query either way. `tenant_cache_clear()` forgets every entry
at once by moving a generation number that each entry carries, without clearing the rest of the cache.

No entry outlives a change to a tenant or a domain, in any process (issue 9 item 14): each entry also
carries the routing version it was filled at, a one-row counter that database triggers move in the
same transaction as any change to a tenant or domain row (`tenants.models.RoutingVersion`, migration
0003), whichever code made it. Every request reads the version (one primary-key read, in the same
round of work as the cache lookup) and refills an entry of an older one, so once a suspension or a
purge commits no process serves the old state, nor a dropped schema — with or without a shared cache.

Custom domains (SPEC R1) route once verified and approved without being listed in ALLOWED_HOSTS:
approval creates a `Domain` row with `verified_at` set, and a host outside ALLOWED_HOSTS is accepted
only when it is such a row. For that request `request.get_host()` then returns the host, so CSRF
origin checks and absolute URLs work on it; every other host outside ALLOWED_HOSTS still answers 404.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_tenant_domain_model, remove_www

_GENERATION_KEY = "tenants.routing:generation"
_HOST_KEY = "tenants.routing:host:{}"
_VERSION_SQL = f'SELECT value FROM "{settings.PUBLIC_SCHEMA_NAME}".tenants_routingversion WHERE id = 1'  # noqa: S608


def routing_version(*, switch_to: object | None = None) -> int | None:
    """The committed routing version, None when its row is missing (a flushed test database: then
    nothing is cached).

    `switch_to`: the tenant a cached entry names for this request. When this connection's last request
    was on another schema, its `SET search_path` travels in the same round trip as the version read
    (issue 16 item 3: a request on another tenant than the previous one costs no extra round trip). The
    domain table is in `public`, on every search_path, so a stale entry is still read again correctly."""
    if switch_to is None or connection.schema_name == switch_to.schema_name:
        with connection.cursor() as cursor:
            cursor.execute(_VERSION_SQL)
            row = cursor.fetchone()
        return row[0] if row else None
    connection.set_tenant(switch_to)
    paths = connection._get_cursor_search_paths()  # validates every schema name it returns
    # Marked as set before the cursor is taken, so that django-tenants does not send its own SET first.
    connection.search_path_set_schemas = paths
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path = {','.join(connection.ops.quote_name(p) for p in paths)}; "
                           f"{_VERSION_SQL}")
            row = cursor.fetchone()
    except Exception:
        connection.search_path_set_schemas = None  # the next cursor sends the SET on its own
        raise
    return row[0] if row else None


def tenant_cache_clear() -> None:
    """Forget every cached host -> tenant lookup (tests, state changes): in this process with the
    default LocMemCache, in every process with a shared cache."""
    cache.set(_GENERATION_KEY, uuid.uuid4().hex, None)


def host_cache_fill(*, schema_names: list[str]) -> int:
    """Cache the host lookup of every domain of these tenants in one query (a web worker's warm-up,
    `mooc_platform.warmup`), so that its first request on each host reads no domain. Returns the hosts cached."""
    from .models import Domain

    ttl = settings.TENANT_CACHE_SECONDS
    if not ttl:
        return 0
    version = routing_version()  # before the domains, as a request does
    if version is None:
        return 0
    generation = cache.get(_GENERATION_KEY)
    domains = Domain.objects.select_related("tenant").filter(tenant__schema_name__in=schema_names)
    entries = {_HOST_KEY.format(d.domain): (generation, version, d.tenant, d.verified_at is not None) for d in domains}
    cache.set_many(entries, ttl)
    return len(entries)


class CachedTenantMiddleware(TenantMainMiddleware):
    """django-tenants' middleware, with the domain lookup cached for TENANT_CACHE_SECONDS, verified
    custom domains accepted outside ALLOWED_HOSTS, and a readable 404 page for a host that belongs to
    no tenant (never a 500)."""

    def get_tenant(self, domain_model, hostname):  # type: ignore[no-untyped-def]
        return self._lookup(domain_model, hostname)[0]

    def _lookup(self, domain_model, hostname: str) -> tuple[object, bool]:  # type: ignore[no-untyped-def]
        """(tenant, whether `hostname` is a verified custom domain); raises DoesNotExist."""
        ttl = settings.TENANT_CACHE_SECONDS
        key = _HOST_KEY.format(hostname)
        generation = version = None
        if ttl:
            # The entry (generation, version, tenant, verified) and the current generation, then the committed
            # version in one round trip with the switch to the entry's schema. An entry of an older version or
            # generation is read again below, whatever order these two reads came in.
            found = cache.get_many([key, _GENERATION_KEY])
            generation = found.get(_GENERATION_KEY)
            hit = found.get(key)
            version = routing_version(switch_to=hit[2] if hit is not None and hit[0] == generation else None)
            if version is not None and hit is not None and hit[0] == generation and hit[1] == version:
                return hit[2], hit[3]
        # Read after the version: a change committed in between is cached under the older version,
        # and so read again by the next request.
        domain = domain_model.objects.select_related("tenant").get(domain=hostname)
        verified = domain.verified_at is not None
        if ttl and version is not None:
            cache.set(key, (generation, version, domain.tenant, verified), ttl)
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
