"""Console (admin) actions over the selected rows: one helper for "apply this service to each row"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

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


def confirmed(request: HttpRequest) -> bool:
    """True once the operator said yes on the page `confirmation_page` showed."""
    return request.POST.get("confirmed") == "yes"


def confirmation_page(request: HttpRequest, model_admin: admin.ModelAdmin, rows: QuerySet[Any], *, action: str,
                      title: str, consequence: str) -> TemplateResponse:
    """The page a consequential list action shows first: what it will do, to which rows, and a button that
    posts the same selection again with `confirmed=yes` (Django's own "delete selected" works this way)."""
    return TemplateResponse(request, "admin/action_confirmation.html", {
        **model_admin.admin_site.each_context(request), "title": title, "consequence": consequence,
        "rows": rows, "action": action, "opts": model_admin.model._meta})
