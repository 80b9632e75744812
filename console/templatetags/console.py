"""Formatting of the console: money with its currency, bytes in human units, Paris dates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format

register = template.Library()


@register.filter
def eur(value: Any) -> str:
    """`1 234,56 EUR` / `1,234.56 EUR` in the operator's language; empty for None."""
    if value is None or value == "":
        return ""
    return f"{number_format(Decimal(value), 2, force_grouping=True)}\u00a0EUR"


@register.filter
def human_bytes(value: Any) -> str:
    return filesizeformat(value or 0)


@register.filter
def percent_of(used: Any, total: Any) -> str:
    if not total:
        return "—"
    return f"{number_format(Decimal(used or 0) * 100 / Decimal(total), 1)}\u00a0%"
