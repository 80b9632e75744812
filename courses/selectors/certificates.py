"""Reads of certificates."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from mooc_platform.accounts.models import User

from ..models import Certificate


def certificates_of(*, user: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).order_by("-issued_at", "id")


def certificates_all() -> QuerySet[Certificate]:
    return Certificate.objects.all().order_by("-issued_at", "id")


_CODE = re.compile(r"[0-9A-Za-z_-]{1,32}")


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate with this verification code, None for any other text (too long, NUL bytes, markup:
    hostile codes are simply not found)."""
    code = code.strip()
    if not _CODE.fullmatch(code):
        return None
    return Certificate.objects.filter(code=code.upper()).select_related("course").first()


def certificate_public_holder(*, certificate: Certificate) -> str | None:
    """The holder's name as public verification shows it: never an e-mail address (issue 11 item 6).
    Certificates issued before names were required may hold the e-mail: the holder's name today is
    shown instead, or nothing. None when the holder erased their account."""
    if certificate.holder_removed:
        return None
    if "@" not in certificate.holder_name:
        return certificate.holder_name
    user = certificate.user
    return (user.full_name.strip() or None) if user is not None else None
