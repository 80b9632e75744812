"""`{{ value|localized:"money" }}`: the one filter that writes numbers, money, percentages, sizes and dates in
the reader's language (`mooc_platform.formatting.localized`). A builtin of every template: no `{% load %}`."""

from __future__ import annotations

from typing import Any

from django import template

from mooc_platform.formatting import localized as _localized

register = template.Library()


@register.filter(is_safe=False)
def localized(value: Any, kind: str = "number") -> str:
    return _localized(value, kind)
