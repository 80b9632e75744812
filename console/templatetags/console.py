"""Formatting of the console beyond `localized` (mooc_platform/formatting.py): a share of a total."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from mooc_platform.formatting import localized

register = template.Library()


@register.filter
def percent_of(used: Any, total: Any) -> str:
    if not total:
        return "—"
    return localized(Decimal(used or 0) * 100 / Decimal(total), "percent:1")
