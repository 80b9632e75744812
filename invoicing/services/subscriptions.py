"""Subscriptions: cancellation (SPEC R12) and resubscription during retention (SPEC R14)."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record
from mooc_platform.business_time import business_date, business_midnight
from mooc_platform.errors import NotFoundError
from tenants.models import Tenant
from tenants.services import tenant_access_extend, tenant_cancel, tenant_resubscribe, tenant_terminate

from ..errors import BillingIdentityError, OverdueBalanceError, SubscriptionStateError, TermsNotAcceptedError
from ..models import Invoice, PlanRetirement, Quote, QuoteLine, Subscription
from ..money import money_round
from ..selectors.invoices import due_q
from ..vat import siren_clean, vat_number_clean
from ..vies import vat_number_vies_verify
from .plans import _recurring_lines, plan_price_current
from .quotes import SignResult, _quote_document_store, _quote_signature_record, _subscription_open
from .retirements import PlanRetiredError
from .terms import _quote_terms_attach


def subscription_paid_through(*, subscription: Subscription) -> datetime:
    """The end of the period already *paid* (GCS art. 3 "already paid by him"): the end (Paris midnight) of the
    last of the subscription's consecutive periods, from its first, whose invoices are all paid; its start when
    the first one is unpaid. Access after a cancellation runs until then, not to the end of the period invoiced
    (`subscription_invoiced_through`): an invoice not paid yet still stands (no refund), and paying it later
    extends the access (`_subscription_access_extend_if_paid`)."""
    end = subscription.anchor_date
    periods = (Invoice.objects.filter(subscription=subscription, kind=Invoice.Kind.INVOICE)
               .order_by("period_start").values_list("period_start", "period_end", "status"))
    for period_start, period_end, status in periods:
        if period_start != end or status != Invoice.Status.PAID:
            break
        end = period_end
    return business_midnight(end)


def subscription_invoiced_through(*, subscription: Subscription) -> date:
    """The first day not invoiced yet (invoices are issued in advance): shown next to the paid-through date."""
    return subscription.next_period_start


def subscription_cancel(*, subscription: Subscription, actor: Any = None, now: datetime | None = None) -> Subscription:
    """The customer cancels: no refund, no further invoice, access until the end of the period already paid
    (at once when nothing beyond today is paid); the tenant's lifecycle takes over from there (SPEC R12 — GCS
    art. 3). Locks the tenant, then the subscription: the order of every subscription service."""
    now = now or timezone.now()
    with transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=subscription.tenant_id).first()
        locked = Subscription.objects.select_for_update().select_related("tenant").get(pk=subscription.pk)
        if locked.status != Subscription.Status.ACTIVE:
            raise SubscriptionStateError(_("This subscription is already cancelled."))
        locked.status, locked.cancelled_at = Subscription.Status.CANCELLED, now
        locked.save(update_fields=["status", "cancelled_at"])
        access_ends_at = max(subscription_paid_through(subscription=locked), now)
        audit_record(action="subscription.cancelled", actor=actor, tenant=locked.tenant, target=locked,
                     before={"status": Subscription.Status.ACTIVE},
                     after={"status": locked.status, "access_ends_at": access_ends_at.isoformat()})
        tenant_cancel(tenant=locked.tenant, access_ends_at=access_ends_at, actor=actor)
    return locked


def _subscription_access_extend_if_paid(*, tenant_id: int, now: datetime) -> bool:
    """After a payment: a customer that cancelled gets access until the end of the period it has now paid
    (GCS art. 3), if that is later than its current end of access. Returns whether access was extended."""
    tenant = Tenant.objects.get(pk=tenant_id)
    if (tenant.state not in (Tenant.State.CANCELLED, Tenant.State.RETENTION) or tenant.access_ends_at is None
            or tenant.terminated_at is not None):  # a termination is not undone by a payment (GCS art. 3)
        return False
    subscription = Subscription.objects.filter(tenant_id=tenant_id).order_by("-id").first()
    if subscription is None or subscription.status != Subscription.Status.CANCELLED:
        return False
    paid_through = subscription_paid_through(subscription=subscription)
    if paid_through <= max(tenant.access_ends_at, now):
        return False
    tenant_access_extend(tenant=tenant, access_ends_at=paid_through, now=now)
    return True


def subscription_terminate(*, tenant: Tenant, reason: str, actor: Any = None, now: datetime | None = None) -> Tenant:
    """The operator terminates the contract (non-payment, offence, data volume — SPEC R13, GCS art. 3): access ends
    at once (`tenant_terminate`), the subscription is closed (no further invoice), and the invoices of periods
    starting on or after today (Paris date) are no longer dunned: a credit note is proposed to the operator for
    each (`credit_note_proposed_at`; listed by `invoices_credit_note_proposed`), never issued silently. Invoices of
    periods begun before today stay due (GCS art. 3: sums paid remain acquired). Final for the customer: only an
    operator lifts it (`tenants.services.tenant_termination_lift`). Locks the tenant, then the subscription."""
    now = now or timezone.now()
    today = business_date(now)
    with transaction.atomic():
        locked_tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        subscriptions = list(Subscription.objects.select_for_update().filter(tenant=locked_tenant,
                                                                              status=Subscription.Status.ACTIVE))
        tenant = tenant_terminate(tenant=locked_tenant, reason=reason, actor=actor, now=now)
        for subscription in subscriptions:
            subscription.status, subscription.cancelled_at = Subscription.Status.CANCELLED, now
            subscription.save(update_fields=["status", "cancelled_at"])
            audit_record(action="subscription.terminated", actor=actor, tenant=tenant, target=subscription,
                         before={"status": Subscription.Status.ACTIVE},
                         after={"status": subscription.status, "reason": reason})
        after_termination = (Invoice.objects.select_for_update().filter(
            tenant=tenant, kind=Invoice.Kind.INVOICE, period_start__gte=today, credit_note_proposed_at__isnull=True)
            .exclude(status=Invoice.Status.CREDITED).order_by("sequence"))
        for invoice in after_termination:
            invoice.credit_note_proposed_at = now
            invoice.save(update_fields=["credit_note_proposed_at"])
            audit_record(action="invoice.credit_note_proposed", actor=actor, tenant=tenant, target=invoice,
                         after={"number": invoice.number, "period_start": invoice.period_start.isoformat(),
                                "status": invoice.status, "reason": "period after the termination"})
    return tenant


def subscription_resubscribe(*, tenant: Tenant, accept_terms: bool, actor: Any, ip_address: str | None = None,
                             user_agent: str = "", now: datetime | None = None) -> SignResult:
    """The customer administrator subscribes again during retention (or before the paid-through date of a
    cancelled subscription): the tenant comes back untouched (SPEC R14) and is billed again.

    A resubscription is a new order, and orders are signed quotes (SPEC R5): no operator round trip, the
    administrator signs on the billing page a quote made for them — same plan, seats, billing period and
    buyer as the last subscription, at the prices in force now (a new registration, SPEC R7), without the
    setup fee (the tenant exists). The quote PDF, its SHA-256 and the signature evidence are kept as for any
    signed quote. In one transaction: the tenant back to active, the signed quote, a new subscription
    starting today (or at the end of the period already paid, if later), its first invoice with the next
    number. A previous subscription still active (a terminated tenant) is closed so that it is not billed
    twice. Refused while invoices are due (GCS art. 4: suspended until complete payment), once the
    retention period is over or the purge has started, and for a tenant that is not cancelled/in retention
    (the tenant row is locked first: a double click waits and is refused). Composed of the quote
    services' steps: the document stored, the signature recorded, the subscription opened and invoiced."""
    now = now or timezone.now()
    today = business_date(now)
    if accept_terms is not True:
        raise TermsNotAcceptedError(_("You must accept the terms and conditions to subscribe again."),
                                    details={"accept_terms": "required"})
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        previous = (Subscription.objects.select_for_update().select_related("plan", "quote")
                    .filter(tenant=tenant).order_by("-id").first())
        if previous is None:
            raise NotFoundError(_("This organisation has no subscription to renew."))
        if PlanRetirement.objects.filter(plan_id=previous.plan_id).exists():  # GCS art. 1: no longer sold
            raise PlanRetiredError(
                _("This plan is no longer offered: contact the platform's operators for a new quote."),
                                   details={"plan": previous.plan.code})
        tenant_resubscribe(tenant=tenant, actor=actor, now=now)  # guards the state, the retention end, the purge
        # The same "due" as reinstatement: an invoice due today must be paid first (GCS art. 4).
        due = Invoice.objects.filter(due_q(as_of=today), tenant=tenant)
        if due.exists():  # rolls the tenant back too
            raise OverdueBalanceError(_("Please pay the invoices due before subscribing again."),
                                      details={"invoices": sorted(due.values_list("number", flat=True))})
        price = plan_price_current(plan=previous.plan, at=now)
        signer_email = (getattr(actor, "email", "") or previous.buyer_email).lower()
        signer_name = getattr(actor, "full_name", "") or signer_email
        old = previous.quote
        quote = Quote.objects.create(
            plan_price=price, status=Quote.Status.SENT, token=secrets.token_urlsafe(32),
            organisation_name=previous.buyer_name, billing_address=previous.buyer_address,
            country=previous.buyer_country, vat_number=previous.buyer_vat_number, siren=previous.buyer_siren,
            contact_name=signer_name, contact_email=previous.buyer_email, language=tenant.language,
            wished_slug=tenant.slug, billing_period=price.billing_period, seats=previous.seats,
            storage_quota_bytes=old.storage_quota_bytes, custom_domains_allowed=old.custom_domains_allowed,
            initial_term_months=old.initial_term_months, valid_until=today,
            terms_version=settings.INVOICING_TERMS_VERSION, created_by_email=signer_email, sent_at=now,
        )
        _quote_terms_attach(quote=quote, now=now)  # the terms in force today (SPEC R22), saved with the document
        QuoteLine.objects.bulk_create([
            QuoteLine(quote=quote, position=i, kind=QuoteLine.Kind.RECURRING, description=description,
                      quantity=quantity, unit_price=unit_price, amount=money_round(quantity * unit_price))
            for i, (description, quantity, unit_price) in enumerate(_recurring_lines(price=price, seats=quote.seats),
                                                                    start=1)
        ])
        _quote_document_store(quote=quote)  # lines final: the document signed
        _quote_signature_record(quote=quote, signer_name=signer_name, signer_title="Customer administrator",
                                signer_email=signer_email, ip_address=ip_address, user_agent=user_agent, now=now,
                                actor=actor, tenant=tenant, audit_extra={"resubscription_of": previous.pk})
        if previous.status == Subscription.Status.ACTIVE:
            previous.status, previous.cancelled_at = Subscription.Status.CANCELLED, now
            previous.save(update_fields=["status", "cancelled_at"])
            audit_record(action="subscription.cancelled", actor=actor, tenant=tenant, target=previous,
                         before={"status": Subscription.Status.ACTIVE},
                         after={"status": previous.status, "replaced_by_quote": quote.pk})
        anchor = max(today, previous.next_period_start)
        subscription, invoice = _subscription_open(quote=quote, tenant=tenant, anchor=anchor, today=today,
                                                   actor=actor, audit_extra={"resubscription_of": previous.pk})
    return SignResult(subscription=subscription, tenant=tenant, invoice=invoice)


BILLING_IDENTITY_FIELDS = ("buyer_address", "buyer_vat_number", "buyer_siren", "buyer_email")


def subscription_billing_identity_update(*, subscription: Subscription, actor: Any, billing_address: str | None = None,
                                         vat_number: str | None = None, siren: str | None = None,
                                         billing_email: str | None = None,
                                         now: datetime | None = None) -> Subscription:
    """The customer's administrators keep its registration data current (SPEC R28 — GCS definitions: they
    "access and modify the data related to the Registration"): billing address, VAT number (format, country and,
    when `INVOICING_VIES_CHECK` is on, VIES), SIREN and the e-mail invoices go to. `None` leaves a field as it is;
    an empty VAT number or SIREN removes it. Issued invoices keep their frozen buyer snapshot; the next invoice
    copies the new data (`invoices._buyer_snapshot`). Audited `subscription.billing_identity_updated` with the
    fields before and after. The country is not editable: another country is another VAT treatment, a new order.
    Returns the subscription as saved (unchanged, and not audited, when nothing differs)."""
    changes: dict[str, str] = {}
    if billing_address is not None:
        address = billing_address.strip()
        if not address:
            raise BillingIdentityError(_("The billing address cannot be empty."),
                                       details={"billing_address": "required"})
        if len(address) > 1000:
            raise BillingIdentityError(_("The billing address is too long (1,000 characters at most)."),
                                       details={"billing_address": "too_long"})
        changes["buyer_address"] = address
    if billing_email is not None:
        email = billing_email.strip().lower()
        try:
            validate_email(email)
        except DjangoValidationError as exc:
            raise BillingIdentityError(_("Enter a valid e-mail address for invoices."),
                                       details={"billing_email": billing_email}) from exc
        changes["buyer_email"] = email
    country = subscription.buyer_country
    if siren is not None:
        changes["buyer_siren"] = siren_clean(siren=siren, country=country)
    if vat_number is not None:
        changes["buyer_vat_number"] = vat_number_clean(vat_number=vat_number, country=country)
        if changes["buyer_vat_number"] != subscription.buyer_vat_number:
            # VIES may take seconds: asked before any lock; refuses a number it says is not registered.
            vat_number_vies_verify(vat_number=changes["buyer_vat_number"], actor=actor, now=now)
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().select_related("tenant", "plan").get(pk=subscription.pk)
        changed = {name: value for name, value in changes.items() if getattr(locked, name) != value}
        if not changed:
            return locked
        before = {name: getattr(locked, name) for name in changed}
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changed))
        audit_record(action="subscription.billing_identity_updated", actor=actor, tenant=locked.tenant,
                     target=locked, before=before, after=changed)
    return locked
