"""Fixtures of the console tests: operators (a second one for four-eyes), TOTP codes computed here."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tests.invoicing.conftest import clock, plan, quote_sent  # noqa: F401 - fixtures
from tests.tenants.conftest import make_tenant  # noqa: F401 - fixture

DEMO_SECRET_HEX = "639c21918e73c9104dd1"  # base32 "MOOCDEMOOPERATOR" (SPEC §4), decoded here independently


def totp_code(key_hex: str, at: datetime | None = None) -> str:
    """The 6-digit RFC 6238 code (30 s, SHA-1) of `key_hex` at `at` (default: the clock's now)."""
    return f"{_code(key_hex, (at or timezone.now()).timestamp()):06d}"


def _code(key_hex: str, moment: float) -> int:
    import hashlib
    import hmac
    import struct

    counter = int(moment // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000


@pytest.fixture
def second_operator(db: None) -> User:
    return User.objects.create_user("second.operator@demo.test", DEMO_PASSWORD, role=User.Role.OPERATOR,
                                    full_name="Sam Second", is_staff=True)

