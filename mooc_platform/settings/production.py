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
SECURE_HSTS_SECONDS = 31536000
# The payment provider's webhook is refused without it; an empty secret would refuse every payment.
INVOICING_WEBHOOK_SECRET = env("INVOICING_WEBHOOK_SECRET")
