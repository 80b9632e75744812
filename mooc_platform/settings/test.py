"""Test settings: real PostgreSQL (embedded unless DATABASE_URL), real S3 API (moto server unless
AWS_S3_ENDPOINT_URL), filesystem broker unless CELERY_BROKER_URL."""

from mooc_platform import devstack

devstack.configure_environment(purpose="test")

from .base import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = [".localhost", "localhost", "testserver", ".testserver", "127.0.0.1"]
# 0 = no host cache; the two-process routing test starts its servers with the cache on.
TENANT_CACHE_SECONDS = env.int("TENANT_CACHE_SECONDS", default=0)  # noqa: F405
# Tests issue tokens and then move the clock months or years ahead (time_machine): tokens outlive that here;
# expiry has its own tests, which set API_TOKEN_TTL_DAYS themselves.
API_TOKEN_TTL_DAYS = 3650
# The webhook tests' receivers listen on plain HTTP on 127.0.0.1, and retry within a second.
WEBHOOK_ALLOW_LOOPBACK_HTTP = True
WEBHOOK_RETRY_BASE_SECONDS = 0.5
WEBHOOK_TIMEOUT_SECONDS = 5.0
# The fake LRS of the xAPI tests answers a 5XX first: retried within a second.
XAPI_RETRY_BASE_SECONDS = 0.5
XAPI_TIMEOUT_SECONDS = 5.0
# The fake LTI platform of the tests listens on plain HTTP on 127.0.0.1; a refused score is retried within a second.
LTI_ALLOW_HTTP = True
LTI_SCORE_RETRY_BASE_SECONDS = 0.5
