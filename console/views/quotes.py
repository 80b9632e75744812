"""Quotes: new, list, page and actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from invoicing import selectors as invoicing_selectors
from invoicing import services as invoicing_services
from invoicing.forms import QuoteForm
from invoicing.models import Quote
from mooc_platform.errors import ApplicationError

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
        from django.db.models import Q

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
                                                  "signing_link": f"/quotes/sign/{quote.token}/"})


@operator_required
def quote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    quote = get_object_or_404(Quote, pk=pk)
    texts = {
        "send": (_("Send the quote"), _("The quote PDF is frozen and e-mailed with its signing link to %(email)s; "
                                        "once signed it is a definitive order that provisions the organisation "
                                        "%(slug)s.")),
        "withdraw": (_("Withdraw the quote"), _("The signing link of %(email)s stops working for good.")),
        "revise": (_("Revise the quote"), _("The sent quote is superseded (its link stops working) and a new draft "
                                            "is made for %(email)s.")),
    }
    if action not in texts:
        raise Http404
    title, consequence = texts[action]
    form = ConfirmForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if action == "send":
                invoicing_services.quote_send(quote=quote, signing_base_url=request.build_absolute_uri("/"),
                                              actor=request.user)
                target = quote
            elif action == "withdraw":
                invoicing_services.quote_withdraw(quote=quote, actor=request.user)
                target = quote
            else:
                target = invoicing_services.quote_revise(quote=quote, actor=request.user)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = 409
        else:
            messages.success(request, _("Done."))
            return redirect(f"/console/quotes/{target.pk}/")
    return render(request, "console/quote_action.html", {
        "quote": quote, "form": form, "title": title, "button": title,
        "consequence": consequence % {"email": quote.contact_email, "slug": quote.wished_slug}}, status=status)
