"""Claims (SPEC R25): the operators' queue across organisations, one claim's page with its thread, the answer
and the status. Every write is a `claims.services` call; each is audited there."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims import selectors as claims_selectors
from claims import services as claims_services
from claims.models import Claim
from mooc_platform.errors import ApplicationError
from tenants.models import AuditEvent

from ..security import operator_required
from .common import PAGE_SIZE, _posted


class ReplyForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Answer"), max_length=claims_services.BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 6}))
    status = forms.ChoiceField(label=gettext_lazy("Status after the answer"), choices=Claim.Status.choices,
                               initial=Claim.Status.ANSWERED)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Claim.Status.choices)


@operator_required
def claims(request: HttpRequest) -> HttpResponse:
    params = request.GET
    late = {"yes": True, "no": False}.get(params.get("late", ""))
    status = params.get("status", "")
    if status not in ("", "open", *Claim.Status.values):
        status = ""
    found = claims_selectors.claims_search_all_tenants(status=status, late=late, q=params.get("q", "")[:200])
    page = Paginator(found, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(request, "console/claims.html", {
        "page": page, "params": params, "query": query.urlencode(), "statuses": Claim.Status.choices})


@operator_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("tenant", "invoice", "maintenance_window"), pk=pk)
    reply_form = ReplyForm(_posted(request) if request.POST.get("action") == "reply" else None)
    status_form = StatusForm(_posted(request) if request.POST.get("action") == "status" else None,
                             initial={"status": claim.status})
    status = 200
    if request.method == "POST":
        status = 400
        form = reply_form if request.POST.get("action") == "reply" else status_form
        if form.is_bound and form.is_valid():
            try:
                if form is reply_form:
                    claims_services.claim_reply(claim=claim, actor=request.user, body=form.cleaned_data["body"],
                                                status=form.cleaned_data["status"])
                    messages.success(request, _("Answer sent to %(email)s.") % {
                        "email": claim.filed_by_email or _("the organisation")})
                else:
                    claims_services.claim_status_set(claim=claim, actor=request.user,
                                                     status=form.cleaned_data["status"])
                    messages.success(request, _("Status changed."))
            except ApplicationError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                return redirect("console:claim", pk=claim.pk)
    events = AuditEvent.objects.filter(target_type="Claim", target_id=str(claim.pk)).order_by("-created_at", "-id")
    return render(request, "console/claim.html", {
        "claim": claim, "thread": claim.messages.all(), "reply_form": reply_form, "status_form": status_form,
        "events": events[:50]}, status=status)
