"""Demo data of the console (SPEC §4): the demo operator's authenticator with the fixed secret, so that
demos and outside checks can sign in. Dev only, like the demo password (seed_demo refuses DEBUG off)."""

from __future__ import annotations

from base64 import b32decode
from collections.abc import Callable
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from mooc_platform.accounts.models import User

DEMO_TOTP_SECRET = "MOOCDEMOOPERATOR"  # base32; TOTP, 30 s, 6 digits, SHA-1


def demo_totp_key_hex() -> str:
    return b32decode(DEMO_TOTP_SECRET).hex()


def demo_operator_totp_ensure(*, operator: Any) -> TOTPDevice:
    """The operator's confirmed TOTP device carrying DEMO_TOTP_SECRET (created once, then left alone)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=operator, name="demo authenticator",
        defaults={"key": demo_totp_key_hex(), "step": 30, "digits": 6, "confirmed": True})
    return device


def demo_seed(*, demo: dict[str, Any], log: Callable[[str], None]) -> None:
    """Part of `seed_demo` (settings.DEMO_SEEDERS, after tenants.demo made the operator)."""
    operator = User.objects.get(email="operator@demo.test")
    demo_operator_totp_ensure(operator=operator)
    log(f"operator@demo.test console second factor: TOTP secret {DEMO_TOTP_SECRET} (30 s, 6 digits, SHA-1)")
