"""The administrators' xAPI page (tenant host, /manage/xapi/): the organisation's LRS and the statements sent."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError

from .. import selectors
from ..forms import LrsConfigForm
from ..services import xapi as services
from .webhooks import _errors_to_form

STATEMENTS_SHOWN = 50


@administrator_required
def xapi_page(request: HttpRequest) -> HttpResponse:
    config = services.lrs_config_get()
    initial = {"endpoint": config.endpoint, "key": config.key, "is_active": config.is_active} if config else {}
    form = LrsConfigForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.lrs_config_save(endpoint=data["endpoint"], key=data["key"], secret=data["secret"],
                                         is_active=data["is_active"], actor=request.user)
            except ApplicationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("LRS settings saved."))
                return redirect("integrations-xapi")
    statements = list(selectors.xapi_statements()[:STATEMENTS_SHOWN])
    for statement in statements:
        names = (statement.statement.get("object", {}).get("definition", {}).get("name") or {}).values()
        statement.object_name = next(iter(names), "")
        statement.error_text = services.xapi_error_text(statement=statement)
    return render(request, "integrations/xapi.html", {
        "form": form, "config": config, "statements": statements, "counts": selectors.xapi_statement_counts(),
    }, status=status)


@administrator_required
@require_POST
def xapi_retry_page(request: HttpRequest) -> HttpResponse:
    count = services.xapi_statements_retry(actor=request.user)
    messages.success(request, _("%(count)s failed statements queued again.") % {"count": count})
    return redirect("integrations-xapi")


@administrator_required
@require_POST
def xapi_delete_page(request: HttpRequest) -> HttpResponse:
    services.lrs_config_delete(actor=request.user)
    messages.success(request, _("LRS removed: no statement is sent any more."))
    return redirect("integrations-xapi")
