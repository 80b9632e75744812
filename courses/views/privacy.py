"""Pages: my data, exported or deleted."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mooc_platform.errors import ApplicationError

from .. import services
from .common import _error


@login_required
def my_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(json.dumps(services.user_data_export(user=request.user), indent=2),
                            content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
def my_delete(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.check_password(request.POST.get("password", "")):
            messages.error(request, _("Wrong password."))
        else:
            try:
                services.user_account_delete(user=request.user)
            except ApplicationError as exc:
                _error(request, exc)
            else:
                logout(request)
                messages.success(request, _("Your account was deleted."))
                return redirect("login")
    return render(request, "courses/my_delete.html")
