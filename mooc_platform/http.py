"""HTTP helpers every app shares: the client's address and a tenant's absolute URL."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the client behind `request`, None when unknown (no request, a test client).

    With `TRUSTED_PROXY_IPS` empty (the default) only the socket's peer (`REMOTE_ADDR`) counts: a
    forwarded header anyone can write is never believed. Behind a load balancer, list its addresses
    (or prefixes) there: the address it forwarded is then taken, and only from it (a request that did
    not pass through it counts its peer). The one answer
    for login throttling, quote signature evidence (SPEC R5) and audit events."""
    if request is None:
        return None
    trusted = list(getattr(settings, "TRUSTED_PROXY_IPS", []) or [])
    address = None
    if trusted:  # the forwarded address, only when a trusted proxy forwarded it
        address, _routable = get_client_ip(request, proxy_trusted_ips=trusted)
    if not address:  # no trusted proxy in the way: the socket's peer is the client
        address, _routable = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
    return address or None


def tenant_url(*, slug: str, path: str = "/", request: HttpRequest | None = None) -> str:
    """The absolute URL of `path` on the tenant `slug`'s primary host `<slug>.PLATFORM_DOMAIN` (SPEC R1).

    Without a request it uses `PLATFORM_URL_SCHEME` and `PLATFORM_URL_PORT` (e-mails, tasks); with one,
    the request's scheme and host (a platform-host page linking to the tenant it just created)."""
    if request is not None:
        return f"{request.scheme}://{slug}.{request.get_host()}{path}"
    port = f":{settings.PLATFORM_URL_PORT}" if settings.PLATFORM_URL_PORT else ""
    return f"{settings.PLATFORM_URL_SCHEME}://{slug}.{settings.PLATFORM_DOMAIN}{port}{path}"
