"""Numbers, money, percentages, sizes and dates as people read them, in the active language (issue 13 item 5).

One function, `localized`, behind one template filter (`{{ value|localized:"money" }}`, a builtin of every
template): pages, e-mails and PDFs call it instead of `floatformat`, `|date:"Y-m-d"`, `f"{x:.2f}"` or a
hand-written `€`, so French readers see `1 234,50 €`, `12,5 %` and `2 mars 2027`, English readers
`1,234.50 €`, `12.5 %` and `March 2, 2027`. Dates and times are shown in Paris time (SPEC §2).

Kinds (`kind` or `kind:decimals`):
- `number` (default: as many decimals as the value has, up to 2, grouped), `number:1`
- `amount` (2 decimals, grouped, no symbol: for a sentence that carries its currency), `money` (`amount` + ` €`)
- `percent` (a value already in percent, 1 decimal by default, `percent:2`, `percent:auto` as `number`),
  `ratio` (0–1 shown in percent)
- `bytes` (human units), `date` (`2 mars 2027`), `shortdate` (`02/03/2027`), `datetime`, `time`, `timestamp`
  (`datetime` to the second, for evidence: a claim's receipt, a signature)

Machine formats stay ISO where a machine reads them: CSV, the API, iCalendar, `datetime=` attributes, input values.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone, translation

from mooc_platform.business_time import platform_tz

NBSP = "\u00a0"
KINDS = ("number", "amount", "money", "percent", "ratio", "bytes", "date", "shortdate", "datetime", "time",
         "timestamp")
_DATE_FORMATS = {"date": "DATE_FORMAT", "shortdate": "SHORT_DATE_FORMAT", "datetime": "DATETIME_FORMAT",
                 "time": "TIME_FORMAT"}


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def _number(value: Decimal, decimals: int) -> str:
    # Rounded half up first (as `invoicing.money.money_round`): Django's number_format cuts extra decimals off.
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimals, use_l10n=True, force_grouping=True)


def localized(value: Any, kind: str = "number", *, language: str | None = None) -> str:
    """`value` written for a reader of `language` (default: the active language) as `kind` (see the module's
    docstring); `""` for None or an empty string, the value as text when it is not a number or a date."""
    if value is None or value == "":
        return ""
    name, _, decimals_text = kind.partition(":")
    if name not in KINDS:
        raise ValueError(f"unknown format {kind!r}: one of {', '.join(KINDS)}")
    if language is not None:
        with translation.override(language):
            return localized(value, kind)
    decimals = int(decimals_text) if decimals_text and decimals_text != "auto" else None
    auto = decimals_text == "auto"
    if name in _DATE_FORMATS or name == "timestamp":
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value, platform_tz())
        elif not isinstance(value, dt.date):
            return str(value)
        elif name in ("datetime", "time", "timestamp"):
            name = "date"
        if name == "timestamp":  # the language's date and time, the time to the second on a 24-hour clock
            pattern = re.sub(r"[HG]:i(:s)?|[Pf]", "H:i:s", formats.get_format("DATETIME_FORMAT", use_l10n=True))
            return formats.date_format(value, pattern, use_l10n=True)
        return formats.date_format(value, _DATE_FORMATS[name], use_l10n=True)
    if name == "bytes":
        return filesizeformat(value)
    try:
        number = _decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if name == "ratio":
        number, name = number * 100, "percent"
    if name in ("amount", "money"):
        text = _number(number, 2 if decimals is None else decimals)
        return f"{text}{NBSP}€" if name == "money" else text
    if name == "percent" and not auto:
        return f"{_number(number, 1 if decimals is None else decimals)}{NBSP}%"
    if decimals is None:  # as many decimals as the value has, at most 2: 3, 2.5, 2.25
        exponent = number.normalize().as_tuple().exponent
        decimals = min(max(-exponent, 0), 2) if isinstance(exponent, int) else 0
    return f"{_number(number, decimals)}{NBSP}%" if name == "percent" else _number(number, decimals)
