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
