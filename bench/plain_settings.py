"""Settings of the "plain Django without tenancy" server of bench/load.py: the dev settings with the
tenant router replaced by `bench.plain.FixedTenantMiddleware`."""

from mooc_platform.settings.dev import *  # noqa: F403
from mooc_platform.settings.dev import MIDDLEWARE

MIDDLEWARE = ["bench.plain.FixedTenantMiddleware" if m == "tenants.routing.CachedTenantMiddleware" else m
              for m in MIDDLEWARE]
