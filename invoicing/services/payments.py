"""Payments (SPEC R9): recorded by an operator or by the provider's signed webhook, idempotently."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.errors import Code
from mooc_platform.audit import audit_record
from mooc_platform.business_time import business_date
from mooc_platform.errors import ApplicationError, NotFoundError

from ..errors import InvalidAmountError, InvoiceStateError, PaymentProviderMissingError, WebhookSignatureError
from ..models import Invoice, Payment
from ..money import CENT, money_round
from ..payments.providers import payment_provider
from .dunning import (
    SETTLEMENT_GRACE_DAYS,
    _late_charges_apply,
    _late_charges_audit_action,
    _late_charges_state,
    _tenant_reinstate_if_settled,
    invoice_settlement_check,
)
from .invoices import invoice_events_emit
from .subscriptions import _subscription_access_extend_if_paid


def payment_record(*, invoice: Invoice, amount: Decimal | str, method: str = Payment.Method.TRANSFER,
                   provider_reference: str | None = None, received_at: datetime | None = None, actor: Any = None,
                   now: datetime | None = None) -> Payment:
    """Record money received (full or partial). With a provider reference the call is idempotent: a
    replay returns the payment already recorded. Paying everything due reinstates a tenant suspended
    for non-payment at once (SPEC R10)."""
    now = now or timezone.now()
    received_at = received_at or now
    amount = amount_parse(amount)
    if amount <= 0:
        raise InvalidAmountError(_("The amount must be positive."), details={"amount": str(amount)})
    if provider_reference:
        existing = Payment.objects.filter(provider_reference=provider_reference).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.kind != Invoice.Kind.INVOICE or locked.status == Invoice.Status.CREDITED:
                raise InvoiceStateError(_("Payments are recorded against issued invoices only."),
                                        details={"kind": locked.kind, "status": locked.status})
            payment = Payment.objects.create(invoice=locked, amount=amount, method=method,
                                             provider_reference=provider_reference or None, received_at=received_at,
                                             recorded_by_email=getattr(actor, "email", "") or "")
            before = {"status": locked.status, "amount_paid": str(locked.amount_paid)}
            locked.amount_paid += amount
            received_on, today = business_date(received_at), business_date(now)
            if locked.status == Invoice.Status.ISSUED:  # a paid invoice's charges are settled
                # The charges follow the facts: this payment counts from its receipt date, not from today.
                charges_before = _late_charges_apply(invoice=locked, today=max(today, received_on))
                if charges_before is not None:
                    audit_record(action=_late_charges_audit_action(before=charges_before, invoice=locked),
                                 actor=actor, tenant=locked.tenant, target=locked, before=charges_before,
                                 after={**_late_charges_state(locked), "as_of": max(today, received_on).isoformat(),
                                        "payment_received_on": received_on.isoformat()})
                interest_computed = locked.late_interest
                waived = invoice_settlement_check(invoice=locked, received_on=received_on, today=today)
                if waived > 0:
                    audit_record(action="invoice.late_interest_waived", actor=actor, tenant=locked.tenant,
                                 target=locked, before={"late_interest": str(interest_computed)},
                                 after={"late_interest": str(locked.late_interest), "waived": str(waived),
                                        "rule": f"balance shown within {SETTLEMENT_GRACE_DAYS} days"})
            if locked.balance_due <= 0 and locked.status == Invoice.Status.ISSUED:
                locked.status, locked.paid_at = Invoice.Status.PAID, received_at
                invoice_events_emit(invoices=[locked], event_type="invoice.paid")
            locked.save(update_fields=["amount_paid", "status", "paid_at", "recovery_indemnity", "late_interest",
                                       "late_interest_until"])
            audit_record(action="invoice.payment_recorded", actor=actor, tenant=locked.tenant, target=locked,
                         before=before, after={"status": locked.status, "amount_paid": str(locked.amount_paid),
                                               "payment": str(amount), "reference": provider_reference or "",
                                               "received_on": received_on.isoformat()})
            if locked.tenant_id:
                _subscription_access_extend_if_paid(tenant_id=locked.tenant_id, now=now)
                _tenant_reinstate_if_settled(tenant_id=locked.tenant_id, now=now)
    except IntegrityError:
        if provider_reference:  # a concurrent replay of the same notification won the race
            return Payment.objects.get(provider_reference=provider_reference)
        raise
    invoice.refresh_from_db()
    return payment


def amount_parse(value: object) -> Decimal:
    """An amount of money in EUR, exact: a `Decimal`, an `int` or a decimal string, in whole cents. A float
    (binary, inexact) or more than two decimals is refused, never rounded (SPEC §2: money is never a float)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidAmountError(_("The amount is not a number."), details={"amount": str(value)})
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmountError(_("The amount is not a number."), details={"amount": str(value)}) from exc
    if not amount.is_finite():
        raise InvalidAmountError(_("The amount is not a number."), details={"amount": str(value)})
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise InvalidAmountError(_("An amount in EUR has at most two decimals (whole cents)."),
                                 details={"amount": str(value)})
    return money_round(amount)


def _json_constant_refuse(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def webhook_signature_verify(*, body: bytes, signature: str) -> None:
    """The provider signs the raw body with HMAC-SHA256 and our shared secret: `sha256=<hex>`."""
    secret = settings.INVOICING_WEBHOOK_SECRET
    if not secret:
        raise WebhookSignatureError(_("The payment webhook is not configured."))
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = (signature or "").removeprefix("sha256=").strip()
    if not hmac.compare_digest(expected, given):
        raise WebhookSignatureError(_("The signature of this notification is not valid."))


def payment_webhook_handle(*, body: bytes, signature: str, now: datetime | None = None) -> Payment:
    """A payment-provider notification: `{"reference", "invoice_number", "amount", "currency"}`, signed."""
    webhook_signature_verify(body=body, signature=signature)
    try:
        # Numbers are read as the decimals the provider wrote, never as binary floats; NaN/Infinity refused.
        data = json.loads(body, parse_float=Decimal, parse_constant=_json_constant_refuse)
        reference, number, amount = str(data["reference"]), str(data["invoice_number"]), data["amount"]
        currency = str(data.get("currency", "EUR"))
    except (ValueError, KeyError, TypeError) as exc:
        raise ApplicationError(_("The notification is not valid."), code=Code.VALIDATION_ERROR) from exc
    amount = amount_parse(amount)
    if currency != "EUR":
        raise ApplicationError(_("Only EUR payments are accepted."), details={"currency": currency},
                               code=Code.INVALID_CURRENCY)
    invoice = Invoice.objects.filter(number=number, kind=Invoice.Kind.INVOICE).first()
    if invoice is None:
        raise NotFoundError(_("No invoice with this number."), details={"invoice_number": number})
    return payment_record(invoice=invoice, amount=amount, method=Payment.Method.PROVIDER,
                          provider_reference=reference, now=now)


def invoice_checkout_url(*, invoice: Invoice, return_url: str, language: str) -> str:
    """Where the customer pays `invoice` online: the configured provider's checkout for what is still due on it
    (late charges included), which sends them back to `return_url`. The payment itself is recorded when the
    provider's signed notification reaches `payment_webhook_handle` (SPEC R9)."""
    provider = payment_provider()
    if provider is None:
        raise PaymentProviderMissingError(_("Online payment is not available: pay by bank transfer."))
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.ISSUED or invoice.balance_due <= 0:
        raise InvoiceStateError(_("This invoice has nothing left to pay."),
                                details={"invoice_number": invoice.number, "status": invoice.status})
    return provider.checkout_url_for(invoice=invoice, amount=str(invoice.balance_due), return_url=return_url,
                                     language=language)
