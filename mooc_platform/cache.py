"""The `shared` cache alias, which every worker and process shares (issue 11 item 2): login counters and the
token endpoint's rate limit live there.

Production points CACHE_URL (or REDIS_URL) at Redis and gets Django's RedisCache (settings.base). Without
it, the embedded default is this database cache on the platform's PostgreSQL, in the `public` table `mooc_cache`
(created by the `mooc_platform` migration 0001, on every schema's search_path): still one cache for every
process, never a per-process memory."""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache with an `incr` like Redis's INCR: atomic (the row is locked while it is
    read and written, so two processes counting at once never lose a count) and keeping the entry's
    expiry (Django's own incr is a get and a set that restarts the default timeout)."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        table = connection.ops.quote_name(self._table)
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(f"SELECT value, expires FROM {table} WHERE cache_key = %s FOR UPDATE", [key])  # noqa: S608
            row = cursor.fetchone()
            if row is None or row[1] < timezone.now():
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 (our own rows)
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [encoded, key])  # noqa: S608
        return value
