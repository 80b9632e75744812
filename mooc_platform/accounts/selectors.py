"""Reads of users, in the schema of the connection (a tenant's users live in its schema, SPEC §2)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import User


def administrators_active() -> QuerySet[User]:
    """The organisation's active customer administrators, by e-mail: who receives the tenant's notices
    (lifecycle, exports, maintenance, storage warnings). Cross-schema: `tenants.selectors`."""
    return User.objects.filter(role=User.Role.ADMINISTRATOR, is_active=True).order_by("email")
