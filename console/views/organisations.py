"""Organisations (tenants): list, page, actions with confirmation, custom domains, four-eyes approvals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from invoicing import selectors as invoicing_selectors
from invoicing import services as invoicing_services
from invoicing.amendments import quote_amendment_create
from invoicing.models import Plan, Quote
from mooc_platform import storage
from mooc_platform.accounts.invitations import INVITATION_TIMEOUT_DAYS
from mooc_platform.business_time import business_date, business_days_later, platform_tz
from mooc_platform.errors import ApplicationError, NotFoundError
from mooc_platform.formatting import localized
from tenants import selectors as tenants_selectors
from tenants import services as tenants_services
from tenants.models import CustomDomain, SupportAccessGrant, Tenant

from .. import selectors, services
from ..forms import (
    ConfirmForm,
    LimitsForm,
    ProceedingsForm,
    ProvisionForm,
    ReasonForm,
    RenameForm,
)
from ..models import ApprovalRequest
from ..security import operator_required
from .common import GB, PAGE_SIZE, _csv_response, _paris_iso, _posted


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


@operator_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    """A new organisation without a quote: `tenant_provision` with slug, plan and first administrator (issue 12
    item 1). The plan gives the limits; no subscription and no invoice are made."""
    form = ProvisionForm(_posted(request), plans=Plan.objects.filter(is_active=True).order_by("name"))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                price = invoicing_services.plan_price_current(plan=data["plan"])
                tenant = tenants_services.tenant_provision(
                    slug=data["slug"], name=data["name"], admin_email=data["admin_email"],
                    admin_full_name=data["admin_full_name"], seat_limit=price.seats,
                    storage_quota_bytes=price.storage_quota_bytes, language=data["language"],
                    custom_domains_allowed=price.custom_domains_allowed, actor=request.user)
            except ApplicationError as exc:
                form.add_error("slug" if "slug" in (exc.details or {}) else None, exc.message)
                status = 409
            else:
                messages.success(request, _("%(name)s is ready at its address; %(email)s is invited to choose a "
                                            "password.") % {"name": tenant.name, "email": data["admin_email"]})
                return redirect(f"/console/organisations/{tenant.pk}/")
    return render(request, "console/organisation_new.html", {"form": form}, status=status)


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
    "proceedings-open": Action("proceedings-open", gettext_lazy("Record collective proceedings"),
                               gettext_lazy("Record the proceedings"), ProceedingsForm, danger=False),
    "proceedings-close": Action("proceedings-close", gettext_lazy("End of the collective proceedings"),
                                gettext_lazy("Record the end"), ConfirmForm, danger=False),
    "cancel-subscription": Action("cancel-subscription", gettext_lazy("Cancel the subscription"),
                                  gettext_lazy("Cancel the subscription"), ConfirmForm),
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
    if action == "cancel-subscription":
        subscription = invoicing_selectors.tenant_subscription(tenant=tenant)
        if subscription is None or subscription.status != subscription.Status.ACTIVE:
            return _("%(name)s has no subscription running: there is nothing to cancel.") % {"name": name}
        access_ends = max(invoicing_services.subscription_paid_through(subscription=subscription), now)
        destroyed = business_days_later(access_ends, tenants_selectors.RETENTION_DAYS)
        return ngettext(
            "%(name)s's subscription ends now: no refund, no further invoice. Its %(users)s user keeps access "
            "until %(date)s (the end of the period already paid; a later payment extends it), then its data is "
            "kept until %(destroyed)s and destroyed. The administrators are told by e-mail.",
            "%(name)s's subscription ends now: no refund, no further invoice. Its %(users)s users keep access "
            "until %(date)s (the end of the period already paid; a later payment extends it), then its data is "
            "kept until %(destroyed)s and destroyed. The administrators are told by e-mail.", users) % {
            "name": name, "users": users,
            "date": localized(access_ends, "datetime"), "destroyed": localized(destroyed, "date")}
    if action == "limits":
        return _("Seats and storage are billed: nothing changes now. An amendment quote is prepared for the "
                 "customer; the new limits apply when the customer signs it.")
    if action == "proceedings-open":
        return _("From now on %(name)s bears no late charges (those on its unpaid invoices are cancelled) and is "
                 "neither suspended nor terminated automatically for non-payment. A suspension in force stays "
                 "until you reinstate it. Recorded in the audit log.") % {"name": name}
    if action == "proceedings-close":
        return _("The ordinary rules apply again to %(name)s from now on: late charges, suspension 15 days after a "
                 "formal notice, termination after %(days)s days of suspension.") % {
            "name": name, "days": settings.INVOICING_NON_PAYMENT_TERMINATION_DAYS}
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
    if action == "cancel-subscription":
        subscription = invoicing_selectors.tenant_subscription(tenant=tenant)
        if subscription is None:
            raise NotFoundError(_("%(name)s has no subscription.") % {"name": tenant.name})
        invoicing_services.subscription_cancel(subscription=subscription, actor=actor, now=now)
        return _("The subscription of %(name)s is cancelled.") % {"name": tenant.name}
    if action == "limits":
        quote = quote_amendment_create(
            tenant=tenant, seats=data["seat_limit"],
            storage_quota_bytes=int(data["storage_quota_gb"] * GB), valid_until=data.get("valid_until"), actor=actor,
            now=now)
        return _("Amendment quote %(ref)s prepared: send it to the customer from its page.") % {
            "ref": quote.reference}
    if action == "proceedings-open":
        invoicing_services.collective_proceedings_open(tenant=tenant, kind=data["kind"],
                                                       reference=data.get("reference", ""), actor=actor, now=now)
        return _("Collective proceedings recorded for %(name)s.") % {"name": tenant.name}
    if action == "proceedings-close":
        invoicing_services.collective_proceedings_close(tenant=tenant, actor=actor, now=now)
        return _("End of the collective proceedings recorded.")
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


def _timeline(*, tenant: Tenant, now: datetime) -> list[dict[str, Any]]:
    """The tenant's lifecycle, with the non-payment warning and termination ahead of a tenant suspended for
    non-payment (SPEC R27) unless it is under collective proceedings."""
    steps = tenants_selectors.tenant_timeline(tenant=tenant, now=now)
    retirement = invoicing_selectors.tenant_plan_retirement(tenant=tenant)
    if retirement is not None:  # SPEC R24: the notice, then the export reminders before the end of access
        steps.append({"key": "plan_retired", "at": retirement.notified_at, "done": True,
                      "label": _("Notice: the plan %(plan)s is retired; access until %(date)s") % {
                          "plan": retirement.retirement.plan.name,
                          "date": date_format(timezone.localtime(retirement.access_ends_at, platform_tz()),
                                              "SHORT_DATETIME_FORMAT")}})
        for days in tenants_selectors.REMINDER_DAYS:
            at = business_days_later(retirement.access_ends_at, -days)
            steps.append({"key": f"retirement_reminder_{days}", "at": at, "done": at <= now,
                          "label": _("Export reminder: access ends in %(days)s days") % {"days": days}})
    if (tenant.suspended_at is not None and tenant.suspension_reason == invoicing_services.NON_PAYMENT_REASON
            and tenant.terminated_at is None
            and invoicing_selectors.tenant_collective_proceedings_open(tenant=tenant) is None):
        warning = invoicing_services.non_payment_warning_due(suspended_at=tenant.suspended_at)
        ends = invoicing_services.non_payment_termination_due(suspended_at=tenant.suspended_at)
        steps += [{"key": "non_payment_warning", "at": warning, "done": warning <= now,
                   "label": _("Last warning e-mail before termination for non-payment")},
                  {"key": "non_payment_termination", "at": ends, "done": ends <= now,
                   "label": _("Termination for non-payment unless everything due is paid")}]
    return sorted(steps, key=lambda step: step["at"])


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
        "tenant": tenant, "timeline": _timeline(tenant=tenant, now=now),
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
        "proceedings": invoicing_selectors.tenant_collective_proceedings_open(tenant=tenant),
    })


DOMAIN_ACTIONS = ("approve", "remove")


@operator_required
def domain_action(request: HttpRequest, pk: int, domain_pk: int, action: str) -> HttpResponse:
    tenant = _tenant_of(pk)
    custom = get_object_or_404(CustomDomain, pk=domain_pk, tenant=tenant)
    if action not in DOMAIN_ACTIONS:
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
