"""Quotes: new, list, page and actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from invoicing import selectors as invoicing_selectors
from invoicing import services as invoicing_services
from invoicing.forms import QuoteForm
from invoicing.models import Invoice, Quote
from mooc_platform import storage
from mooc_platform.errors import ApplicationError

from .. import selectors
from ..forms import (
    ConfirmForm,
)
from ..security import operator_required
from .common import PAGE_SIZE, _posted


@operator_required
def quote_new(request: HttpRequest) -> HttpResponse:
    """The only way to a new organisation: a quote, sent, signed by the customer (SPEC R4–R6)."""
    form = QuoteForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k in ("vat_number", "siren")}
            plan = data.pop("plan")
            try:
                quote = invoicing_services.quote_create(plan=plan, actor=request.user, **data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, _("Quote %(ref)s created (draft).") % {"ref": quote.reference})
                return redirect(f"/console/quotes/{quote.pk}/")
        else:
            status = 400
    return render(request, "console/quote_new.html", {"form": form}, status=status)


@operator_required
def quotes(request: HttpRequest) -> HttpResponse:
    found: QuerySet[Quote] = invoicing_selectors.platform_quotes_list(status=request.GET.get("status") or None)
    if request.GET.get("status") and request.GET["status"] not in Quote.Status.values:
        found = found.none()
    q = request.GET.get("q", "").strip()[:200]
    if q:
        found = found.filter(Q(organisation_name__icontains=q) | Q(contact_email__icontains=q)
                             | Q(wished_slug__icontains=q))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/quotes.html", {"page": page, "params": request.GET,
                                                   "statuses": Quote.Status.choices})


@operator_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(Quote.objects.select_related("plan_price__plan"), pk=pk)
    signature = getattr(quote, "signature", None) if quote.status == Quote.Status.SIGNED else None
    return render(request, "console/quote.html", {"quote": quote, "lines": quote.lines.all(),
                                                  "signature": signature,
                                                  "pro_formas": selectors.quote_pro_formas(quote=quote),
                                                  "signing_link": f"/quotes/sign/{quote.token}/"})


QUOTE_ACTIONS = {
    # action: (title, consequence, destructive)
    "send": (gettext_lazy("Send the quote"),
             gettext_lazy("The quote PDF is frozen and e-mailed with its signing link to %(email)s; once signed it is "
                          "a definitive order that provisions the organisation %(slug)s."), False),
    "withdraw": (gettext_lazy("Withdraw the quote"),
                 gettext_lazy("The signing link of %(email)s stops working for good: this quote can never be signed "
                              "or sent again. To change it instead, revise it."), True),
    "revise": (gettext_lazy("Revise the quote"),
               gettext_lazy("The sent quote is superseded (its link stops working) and a new draft is made for "
                            "%(email)s, at the prices in force today."), False),
    "pro-forma": (gettext_lazy("Issue a pro forma invoice"),
                  gettext_lazy("A pro forma invoice of this quote is made for %(email)s: no number, no accounting "
                               "effect, nothing is due. You download its PDF from the quote's page."), False),
}


@operator_required
def quote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    quote = get_object_or_404(Quote, pk=pk)
    if action not in QUOTE_ACTIONS:
        raise Http404
    title, consequence, danger = QUOTE_ACTIONS[action]
    form = ConfirmForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            target = quote
            if action == "send":
                invoicing_services.quote_send(quote=quote, signing_base_url=request.build_absolute_uri("/"),
                                              actor=request.user)
                done = _("Quote sent to %(email)s.") % {"email": quote.contact_email}
            elif action == "withdraw":
                invoicing_services.quote_withdraw(quote=quote, actor=request.user)
                done = _("Quote withdrawn: its link no longer works.")
            elif action == "revise":
                target = invoicing_services.quote_revise(quote=quote, actor=request.user)
                done = _("New draft %(ref)s made; the sent quote is superseded.") % {"ref": target.reference}
            else:
                invoicing_services.invoice_pro_forma_issue(quote=quote, actor=request.user)
                done = _("Pro forma invoice issued: download it below.")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = 409
        else:
            messages.success(request, done)
            return redirect(f"/console/quotes/{target.pk}/")
    return render(request, "console/quote_action.html", {
        "quote": quote, "form": form, "title": title, "button": title, "danger": danger,
        "consequence": consequence % {"email": quote.contact_email, "slug": quote.wished_slug}}, status=status)


@operator_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of an invoice, credit note or pro forma (rendered and stored once), through a short-lived link."""
    invoice = get_object_or_404(Invoice, pk=pk)
    key = invoicing_services.invoice_pdf_ensure(invoice=invoice)
    return redirect(storage.presigned_get_url(key=key, filename=invoice.pdf_filename))
