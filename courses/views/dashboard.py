"""Page: the customer administrators' dashboard (issue 13 item 1), their home on the tenant host."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.accounts.permissions import administrator_required

from .. import selectors
from ..charts import line_chart


@administrator_required
def manage_dashboard(request: HttpRequest) -> HttpResponse:
    figures = selectors.dashboard_figures(now=timezone.now())
    chart = line_chart(days=figures.weeks, series=[("enrolments", _("Enrolments"), figures.enrolments),
                                                   ("completions", _("Completions"), figures.completions)])
    return render(request, "courses/manage_dashboard.html", {"d": figures, "chart": chart})
