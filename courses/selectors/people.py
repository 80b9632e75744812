"""Reads of the organisation's users."""

from __future__ import annotations

from django.db.models import QuerySet

from mooc_platform.accounts.models import User


def users_list() -> QuerySet[User]:
    return User.objects.exclude(role=User.Role.OPERATOR).order_by("email")
