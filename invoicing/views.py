"""Pages: the signer's page (platform host, no account) and the customer administrator's billing pages
(tenant host). As thin as the APIs: services decide, pages show their messages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from mooc_platform import storage
from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.business_time import business_date
from mooc_platform.errors import ApplicationError
from mooc_platform.http import client_ip, tenant_url
from tenants.models import Tenant

from . import selectors, services
from .models import Quote, QuoteSignature, Subscription
from .payments.providers import payment_provider


class SignatureForm(forms.Form):
    signer_name = forms.CharField(label=_("Full name"), max_length=200)
    signer_title = forms.CharField(label=_("Title"), max_length=200)
    signer_email = forms.EmailField(label=_("E-mail"))
    accept_terms = forms.BooleanField(label=_("I have read the quote and the terms and conditions, and I accept them."))
    document_sha256 = forms.CharField(widget=forms.HiddenInput, required=False)


def quote_sign_page(request: HttpRequest, token: str) -> HttpResponse:
    """`/quotes/sign/<token>/`: read the quote and the terms, sign with explicit acceptance (SPEC R5)."""
    quote = selectors.quote_by_token(token=token)
    if quote is None:
        raise Http404
    form = SignatureForm(request.POST or None, initial={"document_sha256": quote.pdf_sha256})
    if request.method == "POST" and form.is_valid():
        try:
            result = services.quote_sign(token=token, ip_address=client_ip(request),
                                         user_agent=request.META.get("HTTP_USER_AGENT", ""), **form.cleaned_data)
        except services.QuoteAlreadySignedError as error:
            # A double click: the second request waited for the first and finds its own signature.
            signature = QuoteSignature.objects.filter(quote=quote).select_related("quote__subscription").first()
            if signature is None or signature.signer_email != form.cleaned_data["signer_email"].strip().lower():
                form.add_error(None, error.message)
            else:
                return _signed_page(request, quote=quote, subscription=signature.quote.subscription)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return _signed_page(request, quote=quote, subscription=result.subscription)
    problem = None
    try:
        services.quote_signable_check(quote=Quote.objects.get(pk=quote.pk))
    except ApplicationError as error:
        problem = error.message
    lines = list(quote.lines.all())
    return render(request, "invoicing/quote_sign.html", {
        "quote": quote, "form": form, "problem": problem, "lines": lines, "terms": quote.terms,
        "terms_text": quote.terms.text(translation.get_language() or "fr") if quote.terms else "",
        "total_recurring": sum(line.amount for line in lines if line.kind == "recurring"),
        "total_first": sum(line.amount for line in lines), "seller": services.seller_snapshot(),
    }, status=200 if problem is None else 409)


def _signed_page(request: HttpRequest, *, quote: Quote, subscription: Subscription) -> HttpResponse:
    invoice = subscription.invoices.order_by("sequence").first()
    return render(request, "invoicing/quote_signed.html", {
        "quote": quote, "tenant": subscription.tenant, "invoice": invoice,
        "tenant_url": tenant_url(slug=subscription.tenant.slug, request=request)})


def pricing_page(request: HttpRequest) -> HttpResponse:
    """`/pricing/` on the platform host: each plan's price in force, excluding tax, with its effective date
    (SPEC R30 — GCS art. 11), in French or English (`?lang=`, else the browser's language)."""
    language = request.GET.get("lang", "")
    if language not in ("fr", "en"):
        language = translation.get_language() or "fr"
    with translation.override(language):
        return render(request, "invoicing/pricing.html", {
            "prices": selectors.public_prices(), "seller": services.seller_snapshot(), "language": language})


def quote_terms_page(request: HttpRequest, token: str) -> HttpResponse:
    """`/quotes/sign/<token>/terms/`: the terms of sale the quote was sent with, alone on a page made for reading
    and printing (SPEC R22 — `001_…` §3: view, save and print before the order)."""
    quote = selectors.quote_by_token(token=token)
    if quote is None or quote.terms is None:
        raise Http404
    return render(request, "invoicing/terms_print.html", {"terms": quote.terms, "quote": quote,
                                                          "text": quote.terms.text(translation.get_language() or "fr"),
                                                          "seller": services.seller_snapshot()})


def quote_terms_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The terms PDF (French and English) of the quote; its SHA-256 is kept with the signature."""
    quote = selectors.quote_by_token(token=token)
    if quote is None or quote.terms is None:
        raise Http404
    return HttpResponse(services.terms_pdf(terms=quote.terms), content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{quote.terms.pdf_filename}"'})


def quote_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The exact PDF the signer signs (its SHA-256 is kept with the signature)."""
    quote = selectors.quote_by_token(token=token)
    if quote is None or not quote.pdf_key:
        raise Http404
    return HttpResponse(storage.object_get(key=quote.pdf_key), content_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{quote.reference}.pdf"'})


@administrator_required
def billing_page(request: HttpRequest) -> HttpResponse:
    """The customer administrator's billing: subscription, invoices (PDF), balance, cancel (SPEC R12)."""
    tenant = connection.tenant
    subscription = selectors.tenant_subscription(tenant=tenant)
    return render(request, "invoicing/billing.html", {
        # A termination by the operator is final for the customer (GCS art. 3): no resubscription form.
        "subscription": subscription, "terminated": tenant.terminated_at is not None,
        "can_resubscribe": subscription is not None and tenant.terminated_at is None and tenant.state in (
            Tenant.State.RETENTION, Tenant.State.CANCELLED), "resubscribe_form": ResubscribeForm(),
        "paid_through": services.subscription_paid_through(subscription=subscription) if subscription else None,
        "invoiced_through": services.subscription_invoiced_through(subscription=subscription) if subscription else None,
        "access_ends_at": tenant.access_ends_at if tenant.state == Tenant.State.CANCELLED else None,
        "invoices": selectors.tenant_invoices(tenant=tenant), "balance": selectors.tenant_balance(tenant=tenant),
        "owed": selectors.tenant_amounts_owed(tenant=tenant), "bank": settings.INVOICING_BANK_ACCOUNT,
        "pay_online": payment_provider() is not None, "payment_sent": request.GET.get("payment") == "sent",
        "credit": selectors.tenant_credit(tenant=tenant),
        "orders": selectors.tenant_signed_orders(tenant=tenant),
        "settles_by": selectors.tenant_balance_settles_by(tenant=tenant),
        # SPEC R23: the tacit renewal of the term running today, as the renewal notice states it.
        "renewal": services.subscription_renewal_terms(subscription=subscription, today=business_date())
        if subscription is not None and subscription.status == Subscription.Status.ACTIVE
        and tenant.state in (Tenant.State.ACTIVE, Tenant.State.SUSPENDED) else None,
    })


@administrator_required
def billing_cancel_page(request: HttpRequest) -> HttpResponse:
    """Confirmation step, then cancellation: no refund, access until the paid-through date."""
    subscription = selectors.tenant_subscription(tenant=connection.tenant)
    if subscription is None:
        raise Http404
    paid_through = services.subscription_paid_through(subscription=subscription)
    if request.method == "POST":
        try:
            services.subscription_cancel(subscription=subscription, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your subscription is cancelled. Access continues until the end of the "
                                        "period paid, as shown below."))
        return redirect("billing")
    return render(request, "invoicing/billing_cancel.html", {
        "subscription": subscription, "paid_through": paid_through, "paid_in_future": paid_through > timezone.now(),
        "invoiced_through": services.subscription_invoiced_through(subscription=subscription)})


class BillingIdentityForm(forms.Form):
    billing_address = forms.CharField(label=_("Billing address"), max_length=1000,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False,
                                 help_text=_("Leave empty if the organisation has none."))
    siren = forms.CharField(label=_("SIREN (French organisations)"), max_length=20, required=False)
    billing_email = forms.EmailField(label=_("E-mail address for invoices"), max_length=254)

    # The service's error details name its arguments; the form shows each on its field.
    FIELD_OF_DETAIL = {"billing_address": "billing_address", "vat_number": "vat_number", "siren": "siren",
                       "billing_email": "billing_email"}
    # The checks' messages (invoicing.vat, invoicing.vies) in the page's language.
    MESSAGES = {
        "This SIREN is not valid.": _("This SIREN is not valid."),
        "A SIREN only identifies French organisations.": _("A SIREN only identifies French organisations."),
        "This VAT number is not valid.": _("This VAT number is not valid."),
        "VIES, the EU register of VAT numbers, says this VAT number is not registered.": _(
            "VIES, the EU register of VAT numbers, says this VAT number is not registered."),
    }

    @classmethod
    def message_of(cls, error: ApplicationError) -> str:
        if error.message.startswith("This VAT number does not belong to country"):
            return str(_("This VAT number does not belong to the organisation's country."))
        return str(cls.MESSAGES.get(error.message, error.message))


@administrator_required
def billing_identity_page(request: HttpRequest) -> HttpResponse:
    """`/billing/identity/`: the administrator updates the billing address, VAT number, SIREN and invoice e-mail
    (SPEC R28). Issued invoices keep their snapshot; the next one uses the new data."""
    subscription = selectors.tenant_subscription(tenant=connection.tenant)
    if subscription is None:
        raise Http404
    initial = {"billing_address": subscription.buyer_address, "vat_number": subscription.buyer_vat_number,
               "siren": subscription.buyer_siren, "billing_email": subscription.buyer_email}
    form = BillingIdentityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_billing_identity_update(subscription=subscription, actor=request.user,
                                                          **form.cleaned_data)
        except ApplicationError as error:
            field = next((BillingIdentityForm.FIELD_OF_DETAIL[key] for key in error.details or {}
                          if key in BillingIdentityForm.FIELD_OF_DETAIL), None)
            form.add_error(field, BillingIdentityForm.message_of(error))
        else:
            messages.success(request, _("Your billing details are saved. Invoices already issued keep the details "
                                        "they were issued with; the next invoice uses the new ones."))
            return redirect("billing")
    return render(request, "invoicing/billing_identity.html", {"form": form, "subscription": subscription},
                  status=400 if form.errors else 200)


class ResubscribeForm(forms.Form):
    accept_terms = forms.BooleanField(label=_("I have read the terms and conditions and I accept them: this is a "
                                              "definitive order, invoiced in advance at the current prices."))


@administrator_required
def billing_resubscribe_page(request: HttpRequest) -> HttpResponse:
    """`POST` from the billing page during retention: subscribe again, the tenant comes back (SPEC R14)."""
    if request.method != "POST":
        return redirect("billing")
    form = ResubscribeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Accept the terms and conditions to subscribe again."))
        return redirect("billing")
    try:
        result = services.subscription_resubscribe(
            tenant=connection.tenant, accept_terms=True, actor=request.user,
            ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Welcome back: your subscription is active again. Invoice %(number)s is "
                                    "available below.") % {"number": result.invoice.number})
    return redirect("billing")


@administrator_required
def billing_invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = selectors.tenant_invoices(tenant=connection.tenant).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404
    key = services.invoice_pdf_ensure(invoice=invoice)
    return HttpResponseRedirect(storage.presigned_get_url(key=key, filename=invoice.pdf_filename))


@administrator_required
def billing_invoice_pay(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """`/billing/invoices/<id>/pay/`: off to the payment provider's checkout for what is still due on the invoice;
    the provider brings the administrator back to the billing page (`?payment=sent`)."""
    invoice = selectors.tenant_invoices(tenant=connection.tenant).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404
    try:
        url = services.invoice_checkout_url(
            invoice=invoice, language=translation.get_language() or "fr",
            return_url=request.build_absolute_uri(reverse("billing")))
    except services.PaymentProviderMissingError:
        messages.error(request, _("Online payment is not available: pay by bank transfer with the details below."))
        return redirect("billing")
    except ApplicationError:
        messages.info(request, _("Invoice %(number)s has nothing left to pay.") % {"number": invoice.number})
        return redirect("billing")
    return HttpResponseRedirect(url)


@administrator_required
def billing_order_pdf(request: HttpRequest, quote_id: int) -> HttpResponse:
    """A signed order's quote PDF, the exact document signed (SPEC R5, R22)."""
    quote = selectors.tenant_signed_orders(tenant=connection.tenant).filter(pk=quote_id).first()
    if quote is None or not quote.pdf_key:
        raise Http404
    return HttpResponse(storage.object_get(key=quote.pdf_key), content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{quote.reference}.pdf"'})


@administrator_required
def billing_order_terms_pdf(request: HttpRequest, quote_id: int) -> HttpResponse:
    """The terms of sale a signed order was accepted with (SPEC R22)."""
    quote = selectors.tenant_signed_orders(tenant=connection.tenant).filter(pk=quote_id).first()
    if quote is None or quote.terms is None:
        raise Http404
    return HttpResponse(services.terms_pdf(terms=quote.terms), content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{quote.terms.pdf_filename}"'})
