"""Console (admin) actions over the selected rows: one helper for "apply this service to each row"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from .errors import ApplicationError


def apply_to_each(request: HttpRequest, rows: Iterable[Any], action: Callable[[Any], Any], *, done: str,
                  label: Callable[[Any], str] = str) -> int:
    """Call `action` on each row; a row the service refuses (ApplicationError) is named with the reason
    and the others go on; `done: N` sums up the rows that went through. Returns N."""
    count = 0
    for row in rows:
        try:
            action(row)
        except ApplicationError as error:
            messages.error(request, f"{label(row)}: {error.message}")
        else:
            count += 1
    if count:
        messages.success(request, f"{done}: {count}")
    return count
