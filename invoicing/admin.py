"""Operator console (Django admin at /console/ on the platform host): plans, quotes, invoices, payments.

Actions call the services; issued invoices, signatures and signed quotes are read-only here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from mooc_platform import storage
from mooc_platform.admin_actions import apply_to_each, confirmation_page, confirmed
from mooc_platform.audit import audit_record
from mooc_platform.business_time import business_date
from mooc_platform.errors import ApplicationError
from mooc_platform.http import client_ip

from . import selectors, services
from .forms import QuoteChangeForm
from .models import (
    Invoice,
    InvoiceLine,
    Payment,
    Plan,
    PlanPrice,
    Quote,
    QuoteLine,
    QuoteSignature,
    Subscription,
    VatNumberCheck,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PlanPriceInline(ReadOnlyInline):
    model = PlanPrice
    fields = ["version", "valid_from", "billing_period", "flat_amount", "per_seat_amount", "setup_fee", "seats",
              "storage_quota_bytes", "custom_domains_allowed"]
    readonly_fields = fields


class PlanPriceForm(forms.ModelForm):
    class Meta:
        model = PlanPrice
        fields = ["plan", "valid_from", "billing_period", "flat_amount", "per_seat_amount", "setup_fee", "seats",
                  "storage_quota_bytes", "custom_domains_allowed"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("plan") is not None:
            try:
                services.plan_price_period_check(plan=cleaned["plan"], billing_period=cleaned.get("billing_period"))
            except ApplicationError as error:
                self.add_error("billing_period", error.message)
        return cleaned


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Plans are listed, named and added here (audited); retiring one is the console's page /console/plans/
    (`plan_retire`: six months' notice to its customers), never an "active" checkbox, and a plan is never
    deleted (quotes and invoices name it)."""

    list_display = ["name", "code", "is_active"]
    inlines = [PlanPriceInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["is_active"] if obj is None else ["code", "is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Plan, form: Any, change: bool) -> None:
        before = {"name": Plan.objects.get(pk=obj.pk).name} if change else None
        obj.save()
        audit_record(action="plan.renamed" if change else "plan.created", actor=request.user, target=obj,
                     before=before, after={"code": obj.code, "name": obj.name}, ip_address=client_ip(request))


@admin.register(PlanPrice)
class PlanPriceAdmin(admin.ModelAdmin):
    """A price change is a new version (never an edit of a version in use)."""

    form = PlanPriceForm
    list_display = ["plan", "version", "valid_from", "billing_period", "flat_amount", "per_seat_amount", "setup_fee"]
    list_filter = ["plan"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: PlanPrice, form: Any, change: bool) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("plan", "valid_from")}
        if not obj.plan.prices.exists():  # the plan's first price
            obj.version = 1
            obj.save()
            audit_record(action="plan.price_changed", actor=request.user, target=obj.plan,
                         after={"version": 1, "valid_from": obj.valid_from.isoformat()},
                         ip_address=client_ip(request))
            return
        new = services.plan_price_change(plan=obj.plan, actor=request.user,
                                         valid_from=form.cleaned_data.get("valid_from"), **data)
        obj.pk, obj.version = new.pk, new.version


class QuoteLineInline(ReadOnlyInline):
    model = QuoteLine
    fields = ["position", "kind", "description", "quantity", "unit_price", "amount"]
    readonly_fields = fields


class VatNumberCheckInline(ReadOnlyInline):
    """What VIES answered about the buyer's VAT number (SPEC R8), newest first."""

    model = VatNumberCheck
    fields = ["checked_at", "vat_number", "result", "name", "address", "request_identifier", "error"]
    readonly_fields = fields


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """Quotes are made on the console's quote page (/console/quotes/new/, invoicing.forms.QuoteForm); a
    draft is edited here through `quote_update`, with the same checks shown on the form's fields."""

    form = QuoteChangeForm
    list_display = ["reference", "organisation_name", "status", "wished_slug", "valid_until", "sent_at", "signed_at"]
    list_filter = ["status"]
    search_fields = ["organisation_name", "contact_email", "wished_slug"]
    inlines = [QuoteLineInline, VatNumberCheckInline]
    # Send, revise, withdraw and pro forma: buttons of the console's quote page (/console/quotes/<id>/), each a
    # service call after a confirmation page. The record list keeps no bulk action.
    actions = None
    readonly_fields = ["status", "token", "pdf_key", "pdf_sha256", "created_by_email", "sent_at", "signed_at",
                       "plan_price", "billing_period", "storage_quota_bytes", "custom_domains_allowed", "terms_version"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != Quote.Status.DRAFT:
            return [f.name for f in Quote._meta.fields]  # frozen (a signed quote is a definitive order)
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Quote, form: Any, change: bool) -> None:
        data = dict(form.cleaned_data)
        try:
            services.quote_update(quote=Quote.objects.get(pk=obj.pk), actor=request.user,
                                  **{k: v for k, v in data.items() if k in form.changed_data})
        except ApplicationError as error:  # a race after the form's checks: say so, change nothing
            messages.error(request, error.message)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # lines are made by the services


@admin.register(QuoteSignature)
class QuoteSignatureAdmin(admin.ModelAdmin):
    list_display = ["quote", "signer_name", "signer_email", "signed_at", "ip_address", "document_sha256"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["buyer_name", "tenant", "plan", "billing_period", "status", "next_period_start",
                    "customer_invoiced", "customer_paid", "customer_balance_due", "customer_overdue"]
    list_filter = ["status", "billing_period", "plan"]
    search_fields = ["buyer_name", "tenant__slug"]
    # Cancelling is the console's organisation page (a confirmation stating the end of access and retention).
    actions = ["invoice_next_period"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscription]:
        """The customer's balance (all its invoices, every subscription) on each row, in the list's one query."""
        balances = selectors.customer_balance_annotations(tenant_ref=OuterRef("tenant_id"),
                                                          as_of=business_date())
        return super().get_queryset(request).select_related("tenant", "plan").annotate(
            **{f"customer_{name}": expression for name, expression in balances.items()})

    @admin.display(description="Customer invoiced (incl. tax)", ordering="customer_invoiced")
    def customer_invoiced(self, obj: Any) -> Decimal:
        return obj.customer_invoiced

    @admin.display(description="Customer paid", ordering="customer_paid")
    def customer_paid(self, obj: Any) -> Decimal:
        return obj.customer_paid

    @admin.display(description="Customer balance due", ordering="customer_balance_due")
    def customer_balance_due(self, obj: Any) -> Decimal:
        return obj.customer_balance_due

    @admin.display(description="Customer overdue", ordering="customer_overdue")
    def customer_overdue(self, obj: Any) -> Decimal:
        return obj.customer_overdue

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Subscription._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Invoice the next period now")
    def invoice_next_period(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> Any:
        if not confirmed(request):
            return confirmation_page(
                request, self, queryset, action="invoice_next_period", title="Invoice the next period now?",
                consequence=f"Each of these {queryset.count()} subscriptions gets its next period's invoice today: "
                            "numbered for good (invoices are never deleted, only credited) and e-mailed to the "
                            "customer, due on its usual terms.")
        apply_to_each(request, queryset, lambda s: services.invoice_issue(subscription=s), done="Invoices issued")
        return None


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["position", "description", "quantity", "unit_price", "amount"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["amount", "method", "provider_reference", "received_at", "recorded_by_email"]
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Issued documents are never edited (SPEC R8): corrections are credit notes."""

    list_display = ["__str__", "kind", "status", "tenant", "issue_date", "due_date", "total_incl_tax", "amount_paid",
                    "pdf_link"]
    list_filter = ["kind", "status", "vat_scheme"]
    search_fields = ["number", "buyer__name", "tenant__slug"]
    inlines = [InvoiceLineInline, PaymentInline]
    # Payments and credit notes: on the console's confirmation pages (/console/invoices/<id>/payment/, …).
    actions = ["render_pdf"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Invoice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="PDF")
    def pdf_link(self, obj: Invoice) -> str:
        if not obj.pdf_key:
            return "—"
        return format_html('<a href="{}">PDF</a>', storage.presigned_get_url(key=obj.pdf_key,
                                                                             filename=obj.pdf_filename))

    @admin.action(description="Render and store the PDF (Factur-X)")
    def render_pdf(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        apply_to_each(request, queryset, lambda i: services.invoice_pdf_ensure(invoice=i), done="PDFs stored")


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["invoice", "amount", "received_at", "provider_reference"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments received (evidence). A bank transfer is recorded on the console's invoice page, which calls
    `payment_record` after a confirmation step and shows its refusals."""

    form = PaymentForm
    list_display = ["invoice", "amount", "method", "provider_reference", "received_at", "recorded_by_email"]
    list_filter = ["method"]
    search_fields = ["invoice__number", "provider_reference"]
    raw_id_fields = ["invoice"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Payment, form: Any, change: bool) -> None:
        payment = services.payment_record(invoice=form.cleaned_data["invoice"], amount=form.cleaned_data["amount"],
                                          received_at=form.cleaned_data.get("received_at"),
                                          provider_reference=form.cleaned_data.get("provider_reference") or None,
                                          actor=request.user)
        obj.pk = payment.pk
