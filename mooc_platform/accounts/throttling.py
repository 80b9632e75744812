"""Failed-login throttling (SPEC R3): after LOGIN_MAX_FAILURES failures for one e-mail from one IP
address within LOGIN_FAILURE_WINDOW_SECONDS, further attempts are refused until the window ends.

The counter lives in the default cache (per schema, so two organisations never share a counter);
production must use a cache shared by every worker."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def _limits() -> tuple[int, int]:
    return (getattr(settings, "LOGIN_MAX_FAILURES", 5), getattr(settings, "LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60))


def _key(*, email: str, ip: str) -> str:
    raw = f"{connection.schema_name}|{email.strip().lower()}|{ip}"
    return "login-failures:" + hashlib.sha256(raw.encode()).hexdigest()


def login_is_throttled(*, email: str, ip: str) -> bool:
    """True when this e-mail has failed too often from this address in the current window."""
    maximum, _ = _limits()
    return int(cache.get(_key(email=email, ip=ip), 0)) >= maximum


def login_failure_record(*, email: str, ip: str) -> int:
    """Count one failure; returns the failures counted in the current window."""
    _, window = _limits()
    key = _key(email=email, ip=ip)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def login_failures_clear(*, email: str, ip: str) -> None:
    cache.delete(_key(email=email, ip=ip))


THROTTLED_MESSAGE = "Too many failed attempts for this e-mail. Wait 15 minutes or reset your password."
