"""mooc_platform.http: one client address behind one trusted-proxy setting, one tenant URL builder."""

from __future__ import annotations

from django.test import RequestFactory, override_settings

from mooc_platform.http import client_ip, tenant_url

FORWARDED = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}


def test_without_trusted_proxy_the_socket_peer_is_the_client_and_forwarded_headers_are_ignored() -> None:
    assert client_ip(RequestFactory().get("/", **FORWARDED)) == "10.0.0.5"
    assert client_ip(None) is None


@override_settings(TRUSTED_PROXY_IPS=["10.0.0.5"])
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client() -> None:
    assert client_ip(RequestFactory().get("/", **FORWARDED)) == "203.0.113.7"
    # what the client wrote itself stays on the left and is not believed
    spoofed = {**FORWARDED, "HTTP_X_FORWARDED_FOR": "198.51.100.66, 203.0.113.7"}
    assert client_ip(RequestFactory().get("/", **spoofed)) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_IPS=["10.0.0.0/8"])
def test_a_chain_of_trusted_proxies_is_skipped() -> None:
    chained = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.66, 203.0.113.7, 10.1.2.3"}
    assert client_ip(RequestFactory().get("/", **chained)) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_IPS=["10.0.0.5"])
def test_a_forwarded_header_from_an_untrusted_peer_is_not_believed() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) == "198.51.100.1"


@override_settings(PLATFORM_DOMAIN="mooc.example", PLATFORM_URL_SCHEME="https", PLATFORM_URL_PORT="")
def test_tenant_url_from_settings() -> None:
    assert tenant_url(slug="acme") == "https://acme.mooc.example/"
    assert tenant_url(slug="acme", path="/billing/") == "https://acme.mooc.example/billing/"


@override_settings(PLATFORM_URL_SCHEME="http", PLATFORM_URL_PORT="8010")
def test_tenant_url_carries_the_port() -> None:
    assert tenant_url(slug="acme", path="/exports/").endswith(".localhost:8010/exports/")


def test_tenant_url_on_the_requests_scheme_and_port() -> None:
    request = RequestFactory().get("/", HTTP_HOST="localhost:8000")
    assert tenant_url(slug="new-co", request=request) == "http://new-co.localhost:8000/"
