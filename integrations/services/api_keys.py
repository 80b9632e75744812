"""API keys of integrations (issue 17 item 4): named, scoped, expiring, revocable, rate-limited per key.

A key reads `mk_<prefix>_<secret>`; only its SHA-256 is kept (the key is random and long: a slow hash adds
nothing) and it is shown once, at creation. A key acts with the rights of the administrator who created it,
narrowed to its scopes; it stops working when that person is no longer an active administrator."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import caches
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ConflictError

from ..errors import ApiKeyScopeMissingError, Code
from ..models import ApiKey

KEY_PREFIX = "mk_"
READ = "read"
SCOPES = {
    READ: gettext_lazy("Read-only: read every resource below"),
    "users": gettext_lazy("Users: list, invite, import, deactivate"),
    "enrollments": gettext_lazy("Enrolments: list, enrol, unenrol"),
    "courses": gettext_lazy("Courses: courses, modules, lessons, media"),
    "certificates": gettext_lazy("Certificates: list and download"),
    "webhooks": gettext_lazy("Webhooks: endpoints and deliveries"),
}
# Which scope each API path needs (the longest prefix wins); a path not listed is refused to API keys
# (tokens, API keys, billing, exports, support access: people only).
PATH_SCOPES = [
    ("/api/v1/users/", "users"),
    ("/api/v1/enrollments/", "enrollments"),
    ("/api/v1/courses/", "courses"),
    ("/api/v1/modules/", "courses"),
    ("/api/v1/lessons/", "courses"),
    ("/api/v1/uploads/", "courses"),
    ("/api/v1/certificates/", "certificates"),
    ("/api/v1/webhooks/", "webhooks"),
]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_EXPIRY_DAYS = 3 * 366
RATE_LIMIT_MAX = 10_000
WINDOW_SECONDS = 60


def _hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _scopes_check(scopes: list[str]) -> list[str]:
    unknown = sorted({s for s in scopes if s not in SCOPES})
    if unknown or not scopes:
        message = (_("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)} if unknown
                   else _("Choose at least one scope."))
        raise ApplicationError(message, code=Code.API_KEY_SCOPES_INVALID, details={"scopes": [message]})
    return [s for s in SCOPES if s in set(scopes)]


@transaction.atomic
def api_key_create(*, name: str, scopes: list[str], actor: User, expires_at: datetime | None = None,
                   rate_limit_per_minute: int = 120, now: datetime | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns it and the raw key, which is never shown again."""
    now = now or timezone.now()
    name = name.strip()
    if not name:
        message = _("Give the key a name.")
        raise ApplicationError(message, code=Code.VALIDATION_ERROR, details={"name": [message]})
    if expires_at is not None and (expires_at <= now or expires_at > now + timedelta(days=MAX_EXPIRY_DAYS)):
        message = _("The expiry must be in the future, within three years.")
        raise ApplicationError(message, code=Code.API_KEY_EXPIRY_INVALID, details={"expires_at": [message]})
    if not 1 <= rate_limit_per_minute <= RATE_LIMIT_MAX:
        message = _("The rate limit must be between 1 and %(max)s requests a minute.") % {"max": RATE_LIMIT_MAX}
        raise ApplicationError(message, code=Code.VALIDATION_ERROR, details={"rate_limit_per_minute": [message]})
    prefix = secrets.token_hex(4)
    raw_key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(name=name, prefix=prefix, key_hash=_hash(raw_key), scopes=_scopes_check(scopes),
                                    expires_at=expires_at, rate_limit_per_minute=rate_limit_per_minute,
                                    created_by=actor, created_at=now)
    audit_record(action="api_key.created", actor=actor, schema_name=connection.schema_name, target=api_key,
                 after={"name": api_key.name, "scopes": api_key.scopes, "prefix": prefix,
                        "expires_at": expires_at.isoformat() if expires_at else None})
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: User, now: datetime | None = None) -> ApiKey:
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is not None:
        raise ConflictError(_("This key is already revoked."), code=Code.API_KEY_REVOKED)
    api_key.revoked_at = now or timezone.now()
    api_key.revoked_by = actor
    api_key.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(action="api_key.revoked", actor=actor, schema_name=connection.schema_name, target=api_key,
                 before={"name": api_key.name, "prefix": api_key.prefix})
    return api_key


def api_key_authenticate(*, raw_key: str, now: datetime | None = None) -> ApiKey | None:
    """The usable key `raw_key` names (not revoked, not expired, its creator still an active administrator),
    its last use recorded (at most once a minute); None otherwise."""
    now = now or timezone.now()
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or f"{parts[0]}_" != KEY_PREFIX or len(parts[1]) != 8:
        return None
    api_key = ApiKey.objects.select_related("created_by").filter(prefix=parts[1]).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _hash(raw_key)) or not api_key.is_usable(now):
        return None
    creator = api_key.created_by
    if creator is None or not creator.is_active or creator.role != User.Role.ADMINISTRATOR:
        return None
    if api_key.last_used_at is None or now - api_key.last_used_at >= timedelta(minutes=1):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def api_key_scope_required(*, path: str, method: str) -> str | None:
    """The scope a request needs (`read` for a safe method is enough), None when API keys may not call it."""
    if path == "/api/v1/me/":
        return READ
    for prefix, scope in sorted(PATH_SCOPES, key=lambda item: -len(item[0])):
        if path.startswith(prefix):
            return scope
    return None


def api_key_scope_check(*, api_key: ApiKey, path: str, method: str) -> None:
    scope = api_key_scope_required(path=path, method=method)
    allowed = scope is not None and (scope in api_key.scopes
                                     or (method.upper() in SAFE_METHODS and READ in api_key.scopes))
    if not allowed:
        raise ApiKeyScopeMissingError(
            _("This API key's scopes do not allow this request."),
            details={"required_scope": scope or "", "key_scopes": list(api_key.scopes), "method": method.upper()})


@dataclass(frozen=True)
class RateLimit:
    limit: int
    remaining: int
    reset: int  # seconds until the window restarts

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0


def api_key_rate_take(*, api_key: ApiKey) -> RateLimit:
    """Count one request of `api_key` in the current minute (shared across processes)."""
    cache = caches["shared"]
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"api-key-rate:{connection.schema_name}:{api_key.pk}:{window}"
    cache.add(key, 0, WINDOW_SECONDS + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS + 5)
        used = 1
    reset = max(int((window + 1) * WINDOW_SECONDS - now), 1)
    return RateLimit(limit=api_key.rate_limit_per_minute, remaining=api_key.rate_limit_per_minute - used, reset=reset)
