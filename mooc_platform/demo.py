"""Demo data (SPEC §4): an operator, tenants demo and acme with four users and one published course each.

Each app seeds its own part in its `demo.py` (`demo_seed(*, demo, log)`); `demo_data_ensure` runs them
in the order of `settings.DEMO_SEEDERS`, named by dotted path, so that `mooc_platform` imports no app
here (SPEC §2). Used by `seed_demo` (DEBUG only) and by the test suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from mooc_platform.accounts.models import User

DEMO_PASSWORD = "demo-password-2026"


def demo_user_ensure(*, email: str, role: str, full_name: str, language: str = "en", **extra: object) -> User:
    """The demo account `email` in the connection's schema, with the demo password, speaking `language`
    (its organisation's). Idempotent."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, role=role, full_name=full_name, language=language,
                                        **extra)
    else:
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
        user.full_name = user.full_name or full_name  # names are required to sign in (issue 11 item 6)
        user.language = language
        user.save(update_fields=["password", "full_name", "language"])
    return user


def demo_data_ensure(*, log: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """Create whatever demo data is missing; returns the demo tenants by slug. Idempotent."""
    demo: dict[str, Any] = {}
    for path in settings.DEMO_SEEDERS:
        import_string(path)(demo=demo, log=log)
    return demo.get("tenants", {})
