"""The administrators' claim pages (tenant host): list, file, read the thread and follow up (SPEC R25)."""

from __future__ import annotations

from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError
from mooc_platform.formatting import localized

from . import selectors, services
from .forms import ClaimForm, FollowUpForm
from .models import Claim


@administrator_required
def claims_page(request: HttpRequest) -> HttpResponse:
    claims = selectors.claims_of_tenant(tenant=connection.tenant)
    return render(request, "claims/claims.html", {"claims": claims})


def _windows(now: timezone.datetime) -> list:
    windows = list(selectors.claim_windows_choosable(tenant=connection.tenant, now=now)[:50])
    for window in windows:
        window.label = (f"{localized(window.start, 'datetime')} → {localized(window.end, 'datetime')} "
                        f"({window.get_kind_display()})")
    return windows


@administrator_required
def claim_new_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    tenant = connection.tenant
    form = ClaimForm(request.POST or None, invoices=selectors.claim_invoices_choosable(tenant=tenant)[:100],
                     windows=_windows(now), initial={"category": request.GET.get("category", "")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                claim = services.claim_file(
                    tenant=tenant, actor=request.user, kind=data["kind"], category=data["category"],
                    event_at=data["event_at"], subject=data["subject"], body=data["body"], invoice_id=data["invoice"],
                    maintenance_window_id=data["maintenance_window"], incident_reference=data["incident_reference"])
            except ApplicationError as error:
                for field, errors in error.details.items():
                    form.add_error(field if field in form.fields else None, errors[0] if errors else error.message)
                if not error.details:
                    form.add_error(None, error.message)
            else:
                messages.success(request, _("Claim %(reference)s received on %(when)s. We sent you an "
                                            "acknowledgement by e-mail.") % {
                    "reference": claim.reference,
                    "when": localized(claim.received_at, "datetime")})
                return redirect("claim", claim_id=claim.pk)
    return render(request, "claims/claim_new.html", {"form": form}, status=status)


@administrator_required
def claim_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = selectors.claim_of_tenant(tenant=connection.tenant, claim_id=claim_id)
    if claim is None:
        raise Http404
    form = FollowUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.claim_follow_up(claim=claim, actor=request.user, body=form.cleaned_data["body"])
            except ApplicationError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("Your message was added to the claim."))
                return redirect("claim", claim_id=claim.pk)
    return render(request, "claims/claim.html", {
        "claim": claim, "thread": claim.messages.all(), "form": form,
        "closed": claim.status == Claim.Status.CLOSED}, status=status)
