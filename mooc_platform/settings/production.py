"""Production: every secret and server comes from the environment; missing ones stop the start."""

from .base import *  # noqa: F403
from .base import database_from_env, env

SECRET_KEY = env("DJANGO_SECRET_KEY")  # raises ImproperlyConfigured when missing
DATABASES = {"default": database_from_env(env("DATABASE_URL"))}
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HTTPS only (issue 11 item 8): every host and sub-domain (tenants are <slug>.PLATFORM_DOMAIN), HTTP redirected
# (the proxy says which scheme the client used); the load balancer's health check may stay on HTTP.
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# The payment provider's webhook is refused without it; an empty secret would refuse every payment.
INVOICING_WEBHOOK_SECRET = env("INVOICING_WEBHOOK_SECRET")
# The fake provider marks invoices paid on a click: never in production.
if INVOICING_PAYMENT_PROVIDER in ("fake", "invoicing.payments.providers.FakeProvider"):  # noqa: F405
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("INVOICING_PAYMENT_PROVIDER=fake is for tests and demos, never production.")
