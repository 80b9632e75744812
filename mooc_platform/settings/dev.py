"""Local development: the embedded services stand in for every server whose URL is not set."""

import os

from mooc_platform import devstack

devstack.configure_environment(purpose="dev")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
PLATFORM_URL_SCHEME = env("PLATFORM_URL_SCHEME", default="http")
PLATFORM_URL_PORT = env("PLATFORM_URL_PORT", default=os.environ.get("PORT", "8000"))
