"""Invoices: list, recording a payment, issuing a credit note."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing import services as invoicing_services
from invoicing.models import Invoice
from invoicing.money import money_round
from mooc_platform.business_time import business_date, platform_tz
from mooc_platform.errors import ApplicationError

from .. import selectors
from ..forms import (
    PaymentForm,
    ReasonForm,
)
from ..security import operator_required
from .common import PAGE_SIZE, _csv_response, _posted


@operator_required
def invoices(request: HttpRequest) -> HttpResponse:
    params = request.GET
    today = business_date()
    found = selectors.invoices_search(q=params.get("q", ""), status=params.get("status", ""),
                                      kind=params.get("kind", ""), overdue=params.get("overdue", ""),
                                      period=params.get("period", ""), today=today)
    if params.get("format") == "csv":
        return _csv_response("invoices.csv", ["number", "kind", "status", "organisation", "buyer", "issue_date",
                                              "due_date", "currency", "total_excl_tax", "total_vat",
                                              "total_incl_tax", "late_charges", "amount_paid", "balance_due"],
                             ([i.number, i.kind, i.status, i.tenant.slug if i.tenant else "",
                               i.buyer.get("name", ""), i.issue_date.isoformat(), i.due_date.isoformat(), i.currency,
                               i.total_excl_tax, i.total_vat, i.total_incl_tax,
                               i.recovery_indemnity + i.late_interest, i.amount_paid, i.balance_due]
                              for i in found.iterator()))
    page = Paginator(found, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(request, "console/invoices.html", {
        "page": page, "params": params, "query": query.urlencode(), "statuses": Invoice.Status.choices,
        "kinds": [k for k in Invoice.Kind.choices if k[0] != Invoice.Kind.PRO_FORMA],
        "buckets": [key for key, _first, _last in selectors.OVERDUE_BUCKETS], "today": today})


def _invoice_of(pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("tenant"), pk=pk)


@operator_required
def invoice_payment(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_of(pk)
    form = PaymentForm(_posted(request), initial={"amount": max(invoice.balance_due, Decimal("0.00"))})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            received = (datetime.combine(data["received_on"], time(12), tzinfo=platform_tz())
                        if data.get("received_on") else None)
            if received is not None and received > timezone.now() + timezone.timedelta(days=1):
                form.add_error("received_on", _("A payment cannot be received in the future."))
                status = 400
            else:
                try:
                    invoicing_services.payment_record(invoice=invoice, amount=money_round(data["amount"]),
                                                      received_at=received, actor=request.user,
                                                      provider_reference=data.get("reference") or None)
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                    status = 409
                else:
                    messages.success(request, _("Payment recorded."))
                    return redirect(_invoice_back(invoice))
        else:
            status = 400
    return render(request, "console/invoice_action.html", {
        "invoice": invoice, "form": form, "title": _("Record a bank transfer"), "button": _("Record the payment"),
        "consequence": _("The payment is added to invoice %(number)s; when everything due is paid, an "
                         "organisation suspended for non-payment gets its access back at once.")
        % {"number": invoice.number}}, status=status)


@operator_required
def invoice_credit_note(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_of(pk)
    form = ReasonForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                note = invoicing_services.credit_note_issue(invoice=invoice, reason=form.cleaned_data["reason"],
                                                            actor=request.user)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
                return redirect(_invoice_back(invoice))
        else:
            status = 400
    return render(request, "console/invoice_action.html", {
        "invoice": invoice, "form": form, "title": _("Issue a credit note"), "button": _("Issue the credit note"),
        "danger": True,
        "consequence": _("Invoice %(number)s (%(amount)s EUR incl. tax) is cancelled by a credit note with the next "
                         "number of the credit-note series; this cannot be undone.")
        % {"number": invoice.number, "amount": invoice.total_incl_tax}}, status=status)


def _invoice_back(invoice: Invoice) -> str:
    return f"/console/organisations/{invoice.tenant_id}/" if invoice.tenant_id else "/console/invoices/"


# --- Quotes ------------------------------------------------------------------------------------------------
