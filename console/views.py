"""Pages of the operator console (/console/ on the platform host), as thin as the APIs: each page reads
through selectors and writes through one service call, showing the service's error message when it
refuses. Destructive actions have a confirmation page stating their consequence (issue 12)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from invoicing import selectors as invoicing_selectors
from invoicing import services as invoicing_services
from invoicing.amendments import quote_amendment_create
from invoicing.forms import QuoteForm
from invoicing.models import Invoice, Plan, Quote
from invoicing.money import money_round
from mooc_platform import storage
from mooc_platform.accounts.invitations import INVITATION_TIMEOUT_DAYS
from mooc_platform.audit import audit_client_address
from mooc_platform.business_time import business_date, business_days_later, platform_tz
from mooc_platform.errors import ApplicationError
from tenants import selectors as tenants_selectors
from tenants import services as tenants_services
from tenants.models import CustomDomain, SupportAccessGrant, Tenant

from . import selectors, services
from .charts import trend_svg
from .forms import (
    ConfirmForm,
    ConsoleLoginForm,
    LanguageForm,
    LimitsForm,
    PaymentForm,
    ReasonForm,
    RenameForm,
    TokenForm,
)
from .models import ApprovalRequest
from .security import EXPIRED_KEY, IDLE_KEY, client_address, is_operator, operator_required, verified_device

PAGE_SIZE = 50
GB = 1024**3


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one: a confirmation), None otherwise (unbound form)."""
    return request.POST if request.method == "POST" else None


def _safe_next(request: HttpRequest, default: str = "/console/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        return default
    return target


# --- Sign-in: password, then second factor ------------------------------------------------------------


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and is_operator(request.user) and verified_device(request):
        return redirect(_safe_next(request))
    if request.user.is_authenticated and is_operator(request.user):  # password done: second factor next
        return redirect(f"/console/otp/?{urlencode({'next': _safe_next(request)})}")
    expired = request.session.pop(EXPIRED_KEY, False)
    form = ConsoleLoginForm(request, data=_posted(request))
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.get_user())
        request.session[IDLE_KEY] = timezone.now().timestamp()
        return redirect(f"/console/otp/?{urlencode({'next': _safe_next(request)})}")
    return render(request, "console/login.html", {"form": form, "expired": expired, "next": _safe_next(request)})


def _otp_gate(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect("/console/login/")
    if not is_operator(request.user):
        return render(request, "console/forbidden.html", status=403)
    return None


def otp_view(request: HttpRequest) -> HttpResponse:
    """Second step: a code of the operator's authenticator, or one of their recovery codes."""
    gate = _otp_gate(request)
    if gate:
        return gate
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"/console/otp/setup/?{urlencode({'next': _safe_next(request)})}")
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            request.session[IDLE_KEY] = timezone.now().timestamp()
            with audit_client_address(client_address(request)):
                tenants_services.audit_record(action="operator.signed_in", actor=request.user, target=request.user,
                                              after={"factor": type(device).__name__})
            return redirect(_safe_next(request))
        form.add_error("token", _("This code is not valid (or was already used). Try the next one."))
    return render(request, "console/otp.html", {"form": form, "next": _safe_next(request)})


def otp_setup_view(request: HttpRequest) -> HttpResponse:
    """First sign-in of an operator without an authenticator: scan, type a first code, keep the
    recovery codes. Only reachable between password and second factor, for an operator with none."""
    import segno

    gate = _otp_gate(request)
    if gate:
        return gate
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("/console/otp/")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.operator_totp_device_start(operator=request.user)
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            with audit_client_address(client_address(request)):
                codes = services.operator_totp_confirm(device=device, token=form.cleaned_data["token"])
        except ApplicationError as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            request.session[IDLE_KEY] = timezone.now().timestamp()
            return render(request, "console/recovery_codes.html", {"codes": codes, "next": _safe_next(request)})
    from base64 import b32encode

    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True)
    return render(request, "console/otp_setup.html", {
        "form": form, "qr": qr, "secret": b32encode(device.bin_key).decode(), "next": _safe_next(request)})


@operator_required
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "console/recovery_codes.html", {"codes": None})
    codes = services.operator_recovery_codes_issue(operator=request.user)
    return render(request, "console/recovery_codes.html", {"codes": codes, "next": "/console/"})


@require_POST
@operator_required
def language_view(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        request.user.language = form.cleaned_data["language"]
        request.user.save(update_fields=["language"])
        translation.activate(request.user.language)
    return redirect(_safe_next(request))


# --- Dashboard -----------------------------------------------------------------------------------------


@operator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = business_date(now)
    revenue = selectors.revenue_summary(today=today)
    storage_summary = selectors.storage_summary()
    return render(request, "console/dashboard.html", {
        "by_state": [(state, Tenant.State(state).label, count)
                     for state, count in selectors.tenants_count_by_state().items()],
        "revenue": revenue,
        "chart": trend_svg(points=revenue.trend, title=_("Monthly recurring revenue, last 12 months (EUR excl. tax)")),
        "overdue": selectors.overdue_by_age(today=today),
        "suspended": selectors.tenants_suspended()[:20],
        "due_for_destruction": selectors.tenants_due_for_destruction(now=now)[:20],
        "storage": storage_summary,
        "windows": selectors.maintenance_windows_ahead(now=now),
        "events": selectors.audit_events_recent(),
        "approvals": selectors.approvals_pending()[:10],
        "credit_notes_proposed": invoicing_selectors.invoices_credit_note_proposed()[:20],
        "now": now,
    })


# --- Organisations ---------------------------------------------------------------------------------------


def _csv_response(filename: str, header: list[str], rows: Any) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["'" + value if isinstance(value, str) and value[:1] in "=+-@" else value for value in row])
    return response


def _paris_iso(moment: datetime | None) -> str:
    return timezone.localtime(moment, platform_tz()).strftime("%Y-%m-%d %H:%M") if moment else ""


@operator_required
def organisations(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    params = request.GET
    destruction = params.get("destruction", "")
    tenants = selectors.tenants_search(
        q=params.get("q", ""), state=params.get("state", ""), plan=params.get("plan", ""),
        overdue=params.get("overdue") == "1", destruction_within_days=30 if destruction == "30" else None,
        now=now, today=business_date(now))
    if params.get("format") == "csv":
        return _csv_response("organisations.csv", ["id", "slug", "name", "state", "plan", "language", "seat_limit",
                                                   "storage_used_bytes", "storage_quota_bytes", "currency",
                                                   "balance_due", "overdue", "access_ends_at", "retention_ends_at",
                                                   "created_at"],
                             ([t.pk, t.slug, t.name, t.state, t.plan_name or "", t.language, t.seat_limit,
                               t.storage_used_bytes, t.storage_quota_bytes, "EUR", t.balance_due, t.overdue,
                               _paris_iso(t.access_ends_at), _paris_iso(t.retention_ends_at),
                               _paris_iso(t.created_at)] for t in tenants.iterator()))
    page = Paginator(tenants, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "console/organisations.html", {
        "page": page, "states": Tenant.State.choices, "plans": Plan.objects.order_by("name"),
        "params": params, "query": query.urlencode()})


@dataclass
class Action:
    key: str
    title: Any
    button: Any
    form: type
    danger: bool = True


ACTIONS = {
    "suspend": Action("suspend", gettext_lazy("Suspend access"), gettext_lazy("Suspend now"), ReasonForm),
    "reinstate": Action("reinstate", gettext_lazy("Reinstate access"), gettext_lazy("Reinstate now"), ConfirmForm,
                        danger=False),
    "terminate": Action("terminate", gettext_lazy("Terminate the subscription"), gettext_lazy("Terminate"),
                        ReasonForm),
    "purge": Action("purge", gettext_lazy("Destroy the data now"), gettext_lazy("Destroy"), ReasonForm),
    "resend-invitation": Action("resend-invitation",
                                gettext_lazy("Re-send the invitation of the first administrator"),
                                gettext_lazy("Send a new link"), ConfirmForm, danger=False),
    "lift-termination": Action("lift-termination", gettext_lazy("Lift the termination"),
                               gettext_lazy("Lift the termination"), ReasonForm, danger=False),
    "rename": Action("rename", gettext_lazy("Rename the organisation"), gettext_lazy("Rename"), RenameForm,
                     danger=False),
    "limits": Action("limits", gettext_lazy("Change seats or storage quota"),
                     gettext_lazy("Prepare the amendment quote"), LimitsForm, danger=False),
}


def _tenant_of(pk: int) -> Tenant:
    return get_object_or_404(selectors.customers(), pk=pk)


def _consequence(action: str, tenant: Tenant, now: datetime) -> str:
    users = selectors.tenant_users_count(tenant=tenant) or 0
    name = tenant.name
    if action == "suspend":
        return _("The %(users)s users of %(name)s lose access now: they see an information screen when they sign in; "
                 "its administrators can still reach billing. No data is touched. The administrators are told "
                 "by e-mail.") % {"users": users, "name": name}
    if action == "reinstate":
        return _("The %(users)s users of %(name)s get their access back now. The administrators are told by "
                 "e-mail.") % {"users": users, "name": name}
    if action == "terminate":
        until = timezone.localtime(business_days_later(now, tenants_selectors.RETENTION_DAYS), platform_tz()).date()
        text = _("The %(users)s users of %(name)s lose access now; data kept until %(date)s, then destroyed. "
                 "The administrators are told by e-mail.") % {"users": users, "name": name,
                                                              "date": until.isoformat()}
        if services.four_eyes_required(action="terminate"):
            text += " " + _("A second operator must approve: nothing happens until then.")
        return text
    if action == "purge":
        tables = tenants_selectors.tenant_schema_tables(schema_name=tenant.schema_name) \
            if selectors.tenant_users_count(tenant=tenant) is not None else {}
        text = _("Every piece of %(name)s's data is destroyed and cannot be recovered: schema %(schema)s "
                 "(%(tables)s tables, %(rows)s rows) and every file under %(prefix)s. Invoices are kept; a "
                 "destruction record is written.") % {
            "name": name, "schema": tenant.schema_name, "tables": len(tables), "rows": sum(tables.values()),
            "prefix": storage.tenant_prefix(schema_name=tenant.schema_name)}
        if services.four_eyes_required(action="purge"):
            text += " " + _("A second operator must approve: nothing happens until then.")
        return text
    if action == "resend-invitation":
        admin = tenants_services.tenant_first_administrator(tenant=tenant)
        return _("%(email)s receives a new link to choose a password, valid %(days)s days.") % {
            "email": admin.email if admin else "—", "days": INVITATION_TIMEOUT_DAYS}
    if action == "lift-termination":
        return _("%(name)s may subscribe again from its billing page until its data is destroyed; access stays "
                 "ended until then. The reason is kept in the audit log.") % {"name": name}
    if action == "rename":
        return _("The new name is shown to the organisation's users at once; issued invoices keep the name they "
                 "were issued with.")
    if action == "limits":
        return _("Seats and storage are billed: nothing changes now. An amendment quote is prepared for the "
                 "customer; the new limits apply when the customer signs it.")
    return ""


def _run_action(request: HttpRequest, action: str, tenant: Tenant, data: dict[str, Any], now: datetime) -> str:
    """Call the service behind `action`; returns the success message (raises the service's errors)."""
    actor = request.user
    if action == "suspend":
        tenants_services.tenant_suspend(tenant=tenant, reason=data["reason"][:200], actor=actor, now=now)
        return _("%(name)s is suspended.") % {"name": tenant.name}
    if action == "reinstate":
        tenants_services.tenant_reinstate(tenant=tenant, actor=actor)
        return _("%(name)s is reinstated.") % {"name": tenant.name}
    if action in ("terminate", "purge"):
        approval = services.tenant_action_request(action=action, tenant=tenant, reason=data["reason"], actor=actor,
                                                  now=now)
        if approval is not None:
            return _("Request recorded: a second operator must approve it on the approvals page.")
        return _("Done.")
    if action == "resend-invitation":
        tenants_services.tenant_admin_invitation_resend(tenant=tenant, actor=actor, now=now)
        return _("A new invitation is on its way.")
    if action == "lift-termination":
        tenants_services.tenant_termination_lift(tenant=tenant, actor=actor, reason=data["reason"], now=now)
        return _("Termination lifted.")
    if action == "rename":
        tenants_services.tenant_rename(tenant=tenant, name=data["name"], actor=actor)
        return _("Renamed.")
    if action == "limits":
        quote = quote_amendment_create(
            tenant=tenant, seats=data["seat_limit"],
            storage_quota_bytes=int(data["storage_quota_gb"] * GB), valid_until=data.get("valid_until"), actor=actor,
            now=now)
        return _("Amendment quote %(ref)s prepared: send it to the customer from its page.") % {
            "ref": quote.reference}
    raise Http404


@operator_required
def organisation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    spec = ACTIONS[action]
    tenant = _tenant_of(pk)
    now = timezone.now()
    initial: dict[str, Any] = {}
    if action == "rename":
        initial = {"name": tenant.name}
    elif action == "limits":
        initial = {"seat_limit": tenant.seat_limit,
                   "storage_quota_gb": (Decimal(tenant.storage_quota_bytes) / GB).quantize(Decimal("0.1"))}
    form = spec.form(_posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message = _run_action(request, action, tenant, form.cleaned_data, now)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code if 400 <= exc.status_code < 500 else 409
            else:
                messages.success(request, message)
                return redirect(f"/console/organisations/{tenant.pk}/")
        else:
            status = 400
    return render(request, "console/confirm.html", {
        "tenant": tenant, "action": spec, "title": spec.title, "button": spec.button, "form": form,
        "consequence": _consequence(action, tenant, now)}, status=status)


@operator_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant_of(pk)
    now = timezone.now()
    today = business_date(now)
    subscription = invoicing_selectors.tenant_subscription(tenant=tenant)
    invoices = list(invoicing_selectors.tenant_invoices(tenant=tenant).prefetch_related("payments")[:50])
    payments = [payment for invoice in invoices for payment in invoice.payments.all()]
    used = selectors.tenant_users_count(tenant=tenant)
    grants = SupportAccessGrant.objects.filter(tenant=tenant, revoked_at__isnull=True, expires_at__gt=now)
    return render(request, "console/organisation.html", {
        "tenant": tenant, "timeline": tenants_selectors.tenant_timeline(tenant=tenant, now=now),
        "subscription": subscription,
        "price_locked": subscription is not None and today < subscription.initial_period_ends_on,
        "invoices": invoices, "payments": sorted(payments, key=lambda p: p.received_at, reverse=True),
        "balance": invoicing_selectors.tenant_balance(tenant=tenant),
        "users": used, "storage": tenants_selectors.tenant_storage_status(tenant=tenant),
        "custom_domains": CustomDomain.objects.filter(tenant=tenant), "domains": tenant.domains.all(),
        "grants": grants, "events": tenants_selectors.audit_events_for_tenant(tenant=tenant)[:30],
        "approvals": ApprovalRequest.objects.filter(tenant=tenant)[:10],
        "quotes": Quote.objects.filter(wished_slug=tenant.slug).order_by("-id")[:10],
        "admin": tenants_services.tenant_first_administrator(tenant=tenant) if used is not None else None,
        "today": today,
    })


@operator_required
def domain_action(request: HttpRequest, pk: int, domain_pk: int, action: str) -> HttpResponse:
    tenant = _tenant_of(pk)
    custom = get_object_or_404(CustomDomain, pk=domain_pk, tenant=tenant)
    if action not in ("approve", "remove"):
        raise Http404
    form = ConfirmForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if action == "approve":
                tenants_services.custom_domain_approve(custom_domain=custom, actor=request.user)
                messages.success(request, _("%(domain)s now routes to the organisation.") % {"domain": custom.domain})
            else:
                tenants_services.custom_domain_remove(custom_domain=custom, actor=request.user)
                messages.success(request, _("%(domain)s removed.") % {"domain": custom.domain})
            return redirect(f"/console/organisations/{tenant.pk}/")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = 409
    consequence = (_("%(domain)s routes to %(name)s as soon as you confirm.") if action == "approve"
                   else _("%(domain)s stops routing to %(name)s now.")) % {"domain": custom.domain, "name": tenant.name}
    title = _("Approve a custom domain") if action == "approve" else _("Remove a custom domain")
    return render(request, "console/confirm.html", {
        "tenant": tenant, "title": title, "button": title, "form": form, "consequence": consequence,
        "action": Action(action, title, title, ConfirmForm, danger=action == "remove")}, status=status)


# --- Four-eyes approvals ---------------------------------------------------------------------------------


@operator_required
def approvals(request: HttpRequest) -> HttpResponse:
    return render(request, "console/approvals.html", {
        "pending": selectors.approvals_pending(),
        "decided": (ApprovalRequest.objects.exclude(status=ApprovalRequest.Status.PENDING)
                    .select_related("tenant")[:50])})


@require_POST
@operator_required
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approval = get_object_or_404(ApprovalRequest, pk=pk)
    try:
        decided = services.approval_decide(approval=approval, approve=request.POST.get("decision") == "approve",
                                           actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("/console/approvals/")
    if decided.status == ApprovalRequest.Status.FAILED:
        messages.error(request, decided.outcome)
    else:
        messages.success(request, decided.get_status_display())
    return redirect("/console/approvals/")


# --- Invoices ------------------------------------------------------------------------------------------------


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
