"""Issue 11 item 8: the production settings pass `manage.py check --deploy` with no warning, with HSTS
over sub-domains and the SSL redirect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_on_the_production_settings_prints_no_warning() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CACHE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "mooc_platform.settings.production",
        "DJANGO_SECRET_KEY": "x7Hq2!pZ9wLm4@vR8tYc1#nB6sKd3$fJ0gXe5^uA-production-like-secret",
        "DATABASE_URL": "postgres://mooc@127.0.0.1:5432/mooc",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "AWS_STORAGE_BUCKET_NAME": "mooc-platform",
        "INVOICING_WEBHOOK_SECRET": "whsec-test",
        "PLATFORM_DOMAIN": "mooc.example",
    })
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr


def test_production_sends_hsts_over_subdomains_and_redirects_to_https() -> None:
    code = ("from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG)")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "mooc_platform.settings.production", "DJANGO_SECRET_KEY": "k" * 60,
                "DATABASE_URL": "postgres://mooc@127.0.0.1:5432/mooc", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
                "AWS_STORAGE_BUCKET_NAME": "b", "INVOICING_WEBHOOK_SECRET": "w"})
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True", "False"], result.stderr


def test_production_refuses_the_fake_payment_provider() -> None:
    """The fake provider marks an invoice paid on a click (issue 13 item 8): tests and demos only."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "mooc_platform.settings.production", "DJANGO_SECRET_KEY": "k" * 60,
                "DATABASE_URL": "postgres://mooc@127.0.0.1:5432/mooc", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
                "AWS_STORAGE_BUCKET_NAME": "b", "INVOICING_WEBHOOK_SECRET": "w", "INVOICING_PAYMENT_PROVIDER": "fake"})
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "INVOICING_PAYMENT_PROVIDER=fake is for tests and demos, never production." in result.stderr
