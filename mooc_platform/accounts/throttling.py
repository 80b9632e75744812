"""Sign-in that resists guessing and cannot be turned into a lock-out weapon (SPEC R3, issue 11 item 2).

Failed sign-ins are counted in the `shared` cache (Redis in production, else the database cache of the
platform's PostgreSQL, `mooc_platform.cache`; never a per-process memory), per schema, so one
organisation's traffic never counts against another's, in three counters over
LOGIN_FAILURE_WINDOW_SECONDS:

- one account from one address: LOGIN_MAX_FAILURES, then that pair waits the window;
- one account from any address: LOGIN_MAX_FAILURES_PER_ACCOUNT (a distributed guess of one password);
- one address on any account: LOGIN_MAX_FAILURES_PER_ADDRESS (one client spraying many accounts).

The account and address limits do not apply from a *usual address* of the account: an address it signed
in from with the right password in the last LOGIN_KNOWN_ADDRESS_DAYS, or where its owner completed a
password reset. So an attacker who locks an account from elsewhere never locks its owner out: the owner
signs in from their usual address with the right password, or anywhere after a reset link (which also
clears the account's counters). The pair limit always applies, so the usual address gives no more
guesses. This is django-axes' lock-out by username and address with a "known device" exception, in 80
lines, on the cache the API throttle shares. The client's address is `mooc_platform.http.client_ip`
(the proxy header is believed only from TRUSTED_PROXY_IPS)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from mooc_platform.http import client_ip

THROTTLED_MESSAGE = "Too many failed attempts for this e-mail. Wait 15 minutes or reset your password."


def _cache() -> Any:
    return caches["shared"]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _window() -> int:
    return _setting("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)


def _key(kind: str, *parts: str) -> str:
    raw = "|".join([connection.schema_name, *parts])
    return f"login-{kind}:" + hashlib.sha256(raw.encode()).hexdigest()


def _keys(*, email: str, ip: str) -> dict[str, str]:
    email = email.strip().lower()
    return {"pair": _key("pair", email, ip), "account": _key("account", email), "address": _key("address", ip),
            "known": _key("known", email, ip)}


def login_refusal(*, email: str, ip: str) -> str | None:
    """Why a sign-in of `email` from `ip` is refused before its password is even checked: "pair",
    "account" or "address" (the limit reached), None when it may go on."""
    keys = _keys(email=email, ip=ip)
    counts = _cache().get_many([keys["pair"], keys["account"], keys["address"], keys["known"]])
    if int(counts.get(keys["pair"], 0)) >= _setting("LOGIN_MAX_FAILURES", 5):
        return "pair"
    if counts.get(keys["known"]):
        return None
    if int(counts.get(keys["account"], 0)) >= _setting("LOGIN_MAX_FAILURES_PER_ACCOUNT", 10):
        return "account"
    if int(counts.get(keys["address"], 0)) >= _setting("LOGIN_MAX_FAILURES_PER_ADDRESS", 20):
        return "address"
    return None


def login_is_throttled(*, email: str, ip: str) -> bool:
    return login_refusal(email=email, ip=ip) is not None


def _count(key: str) -> int:
    _cache().add(key, 0, timeout=_window())
    try:
        return _cache().incr(key)
    except ValueError:  # expired between add and incr
        _cache().set(key, 1, timeout=_window())
        return 1


def login_failure_record(*, email: str, ip: str) -> int:
    """Count one failed sign-in in its three counters; returns the pair's count in the current window."""
    keys = _keys(email=email, ip=ip)
    _count(keys["account"])
    _count(keys["address"])
    return _count(keys["pair"])


def login_succeeded(*, email: str, ip: str) -> None:
    """The right password from `ip`: that pair starts again and `ip` becomes a usual address of the account.
    The account's and address's counters stay: a success proves nothing about the other attempts."""
    keys = _keys(email=email, ip=ip)
    _cache().delete(keys["pair"])
    _cache().set(keys["known"], 1, timeout=int(timedelta(days=_setting("LOGIN_KNOWN_ADDRESS_DAYS", 90))
                                            .total_seconds()))


def login_owner_proven(*, email: str, ip: str) -> None:
    """The owner completed a password reset from `ip` (the link reached their mailbox): the account's
    failures are forgotten and `ip` is a usual address."""
    _cache().delete(_keys(email=email, ip=ip)["account"])
    login_succeeded(email=email, ip=ip)


class LoginRateThrottle(SimpleRateThrottle):
    """DRF's rate limit of the token endpoint (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"]), keyed by
    schema and `client_ip`: DRF's own key believes any X-Forwarded-For a client writes, and shares one
    counter between every organisation."""

    scope = "login"

    def __init__(self) -> None:
        self.cache = caches["shared"]
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope,
                                    "ident": f"{connection.schema_name}:{client_ip(request) or ''}"}
