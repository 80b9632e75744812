"""Reads of certificates."""

from __future__ import annotations

from django.db.models import QuerySet

from mooc_platform.accounts.models import User

from ..models import Certificate


def certificates_of(*, user: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).order_by("-issued_at", "id")


def certificates_all() -> QuerySet[Certificate]:
    return Certificate.objects.all().order_by("-issued_at", "id")


def certificate_by_code(*, code: str) -> Certificate | None:
    return Certificate.objects.filter(code=code.strip().upper()).first()


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
