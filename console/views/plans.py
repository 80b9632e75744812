"""Plans: the price list with each plan's state, and the retirement of a plan (SPEC R24 — GCS art. 1) after a
confirmation page that names every customer affected and its end of access."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing import services as invoicing_services
from invoicing.models import Plan, PlanRetirement
from mooc_platform.errors import ApplicationError

from ..forms import ReasonForm
from ..security import operator_required


@operator_required
def plans(request: HttpRequest) -> HttpResponse:
    rows = []
    for plan in Plan.objects.order_by("name").select_related("retirement"):
        retirement = getattr(plan, "retirement", None)
        rows.append({"plan": plan, "retirement": retirement,
                     "customers": (list(retirement.subscriptions.select_related("tenant").order_by("access_ends_at"))
                                   if retirement else plan.subscriptions.filter(status="active").count())})
    return render(request, "console/plans.html", {"rows": rows})


@operator_required
def plan_retire(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=pk)
    now = timezone.now()
    form = ReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if PlanRetirement.objects.filter(plan=plan).exists():
        messages.error(request, _("This plan is already retired."))
        return redirect("/console/plans/")
    if request.method == "POST":
        if form.is_valid():
            try:
                retirement = invoicing_services.plan_retire(plan=plan, actor=request.user,
                                                            reason=form.cleaned_data["reason"], now=now)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("%(plan)s is retired: %(count)s customer(s) told by e-mail.") % {
                    "plan": plan.name, "count": retirement.subscriptions.count()})
                return redirect("/console/plans/")
        else:
            status = 400
    affected = invoicing_services.plan_retirement_affected(plan=plan, now=now)
    return render(request, "console/plan_retire.html", {
        "plan": plan, "form": form, "affected": affected,
        "notice_ends_at": invoicing_services.plan_retirement_notice_end(announced_at=now)}, status=status)
