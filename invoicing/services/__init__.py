"""Writes of the invoicing app. Each business rule of SPEC R4–R10, R12 and R14 (billing side) lives in one
function here; APIs, pages, the console, the Celery task and `run_billing` call them."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from rest_framework import status

from mooc_platform import storage
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ConflictError, NotFoundError
from tenants.models import AuditEvent, Tenant
from tenants.services import (
    IllegalTransitionError,
    audit_record,
    tenant_cancel,
    tenant_provision,
    tenant_reinstate,
    tenant_resubscribe,
    tenant_slug_validate,
    tenant_suspend,
)

from .models import (
    MONTHS_PER_PERIOD,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    Payment,
    Plan,
    PlanPrice,
    Quote,
    QuoteLine,
    QuoteSignature,
    Subscription,
)
from .money import ZERO, add_months, business_add_days, business_date, business_midnight, money_round
from .vat import siren_clean, vat_number_clean, vat_treatment
from .vies import vat_check_attach, vat_number_vies_verify

logger = logging.getLogger(__name__)

INVOICE_SERIES = "F"
CREDIT_NOTE_SERIES = "A"
RECOVERY_INDEMNITY = Decimal("40.00")  # Code de commerce D441-5; `001_…` art. 5.5
REMINDER_DAYS_BEFORE_DUE = 7
SUSPENSION_DAYS_AFTER_FORMAL_NOTICE = 15
NON_PAYMENT_REASON = "non-payment"


# --- Errors ----------------------------------------------------------------------------------------


class QuoteFrozenError(ConflictError):
    code = "quote_frozen"


class QuoteNotSignableError(ConflictError):
    code = "quote_not_signable"


class QuoteAlreadySignedError(ConflictError):
    code = "quote_already_signed"


class QuoteExpiredError(ApplicationError):
    code = "quote_expired"
    status_code = status.HTTP_410_GONE


class TermsNotAcceptedError(ApplicationError):
    code = "terms_not_accepted"


class DocumentChangedError(ConflictError):
    code = "document_changed"


class InvoiceStateError(ConflictError):
    code = "invoice_state"


class InvalidAmountError(ApplicationError):
    code = "invalid_amount"


class SubscriptionStateError(ConflictError):
    code = "subscription_state"


class WebhookSignatureError(ApplicationError):
    code = "invalid_signature"
    status_code = status.HTTP_401_UNAUTHORIZED


# --- Helpers ---------------------------------------------------------------------------------------


def _late_interest_rate() -> Decimal:
    return Decimal(str(settings.INVOICING_LATE_INTEREST_ANNUAL_RATE))


def seller_snapshot() -> dict[str, Any]:
    return dict(settings.INVOICING_SELLER)


def legal_mentions(*, due_date: date) -> str:
    """The mentions a French B2B invoice needs beyond the parties and amounts (Code de commerce L441-9,
    L441-10, D441-5; CGI art. 242 nonies A), in French and English."""
    rate = _late_interest_rate()
    rate_fr = f"{rate}".replace(".", ",")
    return (
        f"Date d'échéance : {due_date:%d/%m/%Y}. Paiement à {settings.INVOICING_PAYMENT_TERMS_DAYS} jours. "
        "Pas d'escompte pour paiement anticipé. Catégorie de l'opération : prestation de services.\n"
        f"Tout retard de paiement entraîne de plein droit des pénalités de retard au taux annuel de {rate_fr} % "
        "à compter du jour suivant la date d'échéance (art. L441-10 du Code de commerce), ainsi qu'une "
        "indemnité forfaitaire pour frais de recouvrement de quarante euros (40,00 €) (art. D441-5 du Code de "
        "commerce).\n"
        f"Due date: {due_date:%Y-%m-%d}. No discount for early payment. Late payment bears interest at {rate} % "
        "per year from the day after the due date and a fixed recovery indemnity of forty euros (EUR 40.00)."
    )


def _audit_bulk(*, action: str, targets: Sequence[Any], tenants: Sequence[Tenant | None],
                afters: Sequence[dict[str, Any]]) -> None:
    """One audit event per target, in one INSERT (the billing run issues thousands of invoices)."""
    AuditEvent.objects.bulk_create([
        AuditEvent(action=action, tenant=tenant, target_type=type(target).__name__, target_id=str(target.pk),
                   before={}, after=after)
        for target, tenant, after in zip(targets, tenants, afters, strict=True)
    ])


def _series_take(*, prefix: str, count: int) -> tuple[InvoiceSeries, int]:
    """Reserve `count` consecutive numbers of a series; returns (series, first number).

    The counter row stays locked until the caller's transaction ends: numbers are used in that
    transaction or given back by its rollback, so the series has no gaps (SPEC R8)."""
    InvoiceSeries.objects.bulk_create([InvoiceSeries(prefix=prefix)], ignore_conflicts=True)
    series = InvoiceSeries.objects.select_for_update().get(prefix=prefix)
    first = series.last_number + 1
    series.last_number += count
    series.save(update_fields=["last_number"])
    return series, first


def invoice_number_format(*, prefix: str, year: int, sequence: int) -> str:
    """`F2026-000001`: the year is the issue year, the sequence continues across years."""
    return f"{prefix}{year}-{sequence:06d}"


# --- Plans -----------------------------------------------------------------------------------------


def plan_create(*, code: str, name: str, billing_period: str, flat_amount: Decimal = ZERO,
                per_seat_amount: Decimal = ZERO, setup_fee: Decimal = ZERO, seats: int = 50,
                storage_quota_bytes: int = 10 * 1024**3, custom_domains_allowed: bool = False,
                actor: Any = None, now: datetime | None = None) -> Plan:
    with transaction.atomic():
        plan = Plan.objects.create(code=code, name=name)
        PlanPrice.objects.create(
            plan=plan, version=1, valid_from=now or timezone.now(), billing_period=billing_period,
            flat_amount=money_round(Decimal(flat_amount)), per_seat_amount=money_round(Decimal(per_seat_amount)),
            setup_fee=money_round(Decimal(setup_fee)), seats=seats, storage_quota_bytes=storage_quota_bytes,
            custom_domains_allowed=custom_domains_allowed,
        )
        audit_record(action="plan.created", actor=actor, target=plan, after={"code": code, "name": name})
    return plan


def plan_price_current(*, plan: Plan, at: datetime | None = None) -> PlanPrice:
    """The price version in force at `at` (default now)."""
    price = plan.prices.filter(valid_from__lte=at or timezone.now()).order_by("-valid_from", "-version").first()
    if price is None:
        raise NotFoundError(f"Plan {plan.code} has no price in force.", details={"plan": plan.code})
    return price


def plan_price_change(*, plan: Plan, actor: Any = None, valid_from: datetime | None = None,
                      now: datetime | None = None, **changes: Any) -> PlanPrice:
    """A new price version (never an edit). New quotes use it at once; existing subscriptions take it
    only after their initial period (SPEC R7 — GCS art. 11)."""
    now = now or timezone.now()
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)
        current = plan.prices.order_by("-version").first()
        assert current is not None
        new = PlanPrice(plan=plan, version=current.version + 1, valid_from=valid_from or now)
        for name in ("billing_period", "flat_amount", "per_seat_amount", "setup_fee", "seats",
                     "storage_quota_bytes", "custom_domains_allowed"):
            value = changes.get(name, getattr(current, name))
            if name in ("flat_amount", "per_seat_amount", "setup_fee"):
                value = money_round(Decimal(str(value)))
            setattr(new, name, value)
        new.save()
        audit_record(action="plan.price_changed", actor=actor, target=plan,
                     before={"version": current.version}, after={"version": new.version})
    return new


def _recurring_lines(*, price: PlanPrice, seats: int) -> list[tuple[str, Decimal, Decimal]]:
    period = price.get_billing_period_display().lower()
    lines = []
    if price.flat_amount:
        lines.append((f"{price.plan.name} — {period} subscription", Decimal("1"), price.flat_amount))
    if price.per_seat_amount:
        lines.append((f"{price.plan.name} — seats ({period})", Decimal(seats), price.per_seat_amount))
    return lines


# --- Quotes (SPEC R4, R5, R6) ----------------------------------------------------------------------


def quote_create(*, plan: Plan, organisation_name: str, billing_address: str, country: str, contact_name: str,
                 contact_email: str, wished_slug: str, vat_number: str = "", siren: str = "", seats: int | None = None,
                 valid_until: date | None = None, terms_version: str | None = None, language: str = "fr",
                 initial_term_months: int = 12, actor: Any = None, now: datetime | None = None) -> Quote:
    """A draft quote at the prices in force now. Lines: the plan's recurring lines and its setup fee."""
    now = now or timezone.now()
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ApplicationError("The country must be an ISO 3166 two-letter code.", details={"country": country},
                               code="invalid_country")
    vat_number = vat_number_clean(vat_number=vat_number, country=country)
    siren = siren_clean(siren=siren, country=country)
    tenant_slug_validate(slug=wished_slug)
    vies_check = vat_number_vies_verify(vat_number=vat_number, actor=actor, now=now)  # outside any lock
    price = plan_price_current(plan=plan, at=now)
    seats = seats or price.seats
    with transaction.atomic():
        quote = Quote.objects.create(
            plan_price=price, token=secrets.token_urlsafe(32), organisation_name=organisation_name,
            billing_address=billing_address, country=country, vat_number=vat_number, siren=siren,
            contact_name=contact_name,
            contact_email=contact_email.lower(), language=language, wished_slug=wished_slug.strip().lower(),
            billing_period=price.billing_period, seats=seats, storage_quota_bytes=price.storage_quota_bytes,
            custom_domains_allowed=price.custom_domains_allowed, initial_term_months=initial_term_months,
            valid_until=valid_until or business_date(now) + timedelta(days=settings.INVOICING_QUOTE_VALIDITY_DAYS),
            terms_version=terms_version or settings.INVOICING_TERMS_VERSION,
            created_by_email=getattr(actor, "email", "") or "",
        )
        _quote_lines_set(quote=quote, price=price)
        vat_check_attach(check=vies_check, quote=quote)
        audit_record(action="quote.created", actor=actor, target=quote, after={"status": quote.status})
    return quote


def _quote_lines_set(*, quote: Quote, price: PlanPrice) -> None:
    quote.lines.all().delete()
    rows = [(QuoteLine.Kind.RECURRING, *line) for line in _recurring_lines(price=price, seats=quote.seats)]
    if price.setup_fee:
        rows.append((QuoteLine.Kind.ONE_OFF, f"{price.plan.name} — setup fee", Decimal("1"), price.setup_fee))
    QuoteLine.objects.bulk_create([
        QuoteLine(quote=quote, position=i, kind=kind, description=description, quantity=quantity,
                  unit_price=unit_price, amount=money_round(quantity * unit_price))
        for i, (kind, description, quantity, unit_price) in enumerate(rows, start=1)
    ])


QUOTE_EDITABLE_FIELDS = frozenset({"organisation_name", "billing_address", "country", "vat_number", "siren",
                                   "contact_name",
                                   "contact_email", "wished_slug", "seats", "valid_until", "language",
                                   "initial_term_months"})


def quote_update(*, quote: Quote, actor: Any = None, **changes: Any) -> Quote:
    """Edit a draft. A sent quote is withdrawn and replaced instead; a signed one is a definitive order
    and can never change (SPEC R5 — GCS preamble)."""
    unknown = set(changes) - QUOTE_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError("These fields cannot be edited.", details={"fields": sorted(unknown)},
                               code="invalid_fields")
    vies_check = None
    if changes.get("vat_number"):  # VIES is asked before the row is locked (it may take seconds)
        country = str(changes.get("country", quote.country)).upper()
        vies_check = vat_number_vies_verify(
            vat_number=vat_number_clean(vat_number=changes["vat_number"], country=country), actor=actor)
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        if locked.status != Quote.Status.DRAFT:
            raise QuoteFrozenError(f"A {locked.status} quote cannot be edited.", details={"status": locked.status})
        if {"country", "vat_number", "siren"} & set(changes):
            changes["country"] = changes.get("country", locked.country).upper()
            changes["vat_number"] = vat_number_clean(vat_number=changes.get("vat_number", locked.vat_number),
                                                     country=changes["country"])
            changes["siren"] = siren_clean(siren=changes.get("siren", locked.siren), country=changes["country"])
        if "wished_slug" in changes:
            changes["wished_slug"] = tenant_slug_validate(slug=changes["wished_slug"])
        before = {k: str(getattr(locked, k)) for k in changes}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        if "seats" in changes:
            _quote_lines_set(quote=locked, price=locked.plan_price)
        vat_check_attach(check=vies_check, quote=locked)
        audit_record(action="quote.updated", actor=actor, target=locked, before=before,
                     after={k: str(v) for k, v in changes.items()})
    return locked


def quote_send(*, quote: Quote, signing_base_url: str, actor: Any = None, now: datetime | None = None) -> Quote:
    """Render the quote PDF (the exact document the signer will sign), keep it on S3 with its SHA-256 and
    e-mail the tokenised signing link to the contact."""
    from .pdf import quote_pdf_render

    now = now or timezone.now()
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        if locked.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
            raise QuoteFrozenError(f"A {locked.status} quote cannot be sent.", details={"status": locked.status})
        if business_date(now) > locked.valid_until:
            raise QuoteExpiredError("This quote's validity date has passed.",
                                    details={"valid_until": locked.valid_until.isoformat()})
        if not locked.pdf_key:
            pdf = quote_pdf_render(quote=locked)
            digest = hashlib.sha256(pdf).hexdigest()
            key = f"quotes/{locked.reference}-{digest[:12]}.pdf"
            storage.object_put(key=key, body=pdf, content_type="application/pdf")
            locked.pdf_key, locked.pdf_sha256 = key, digest
        before = locked.status
        locked.status, locked.sent_at = Quote.Status.SENT, now
        locked.save(update_fields=["status", "sent_at", "pdf_key", "pdf_sha256"])
        audit_record(action="quote.sent", actor=actor, target=locked, before={"status": before},
                     after={"status": locked.status, "pdf_sha256": locked.pdf_sha256})
        link = signing_base_url.rstrip("/") + f"/quotes/sign/{locked.token}/"
        context = {"quote": locked, "link": link, "seller": seller_snapshot()}
        transaction.on_commit(lambda: email_send(to=[locked.contact_email], template="invoicing/emails/quote_sent",
                                                 context=context, language=locked.language))
    return locked


def quote_withdraw(*, quote: Quote, actor: Any = None) -> Quote:
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        if locked.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
            raise QuoteFrozenError(f"A {locked.status} quote cannot be withdrawn.", details={"status": locked.status})
        before = locked.status
        locked.status = Quote.Status.WITHDRAWN
        locked.save(update_fields=["status"])
        audit_record(action="quote.withdrawn", actor=actor, target=locked, before={"status": before},
                     after={"status": locked.status})
    return locked


def quote_revise(*, quote: Quote, actor: Any = None, now: datetime | None = None) -> Quote:
    """A sent quote that must change is superseded by a new draft (same prospect, prices in force now);
    its link stops working. Signed quotes never change (SPEC R5)."""
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        if locked.status not in (Quote.Status.SENT, Quote.Status.EXPIRED):
            raise QuoteFrozenError(f"A {locked.status} quote cannot be revised.", details={"status": locked.status})
        before = locked.status
        locked.status = Quote.Status.SUPERSEDED
        locked.save(update_fields=["status"])
        draft = quote_create(
            plan=locked.plan_price.plan, organisation_name=locked.organisation_name,
            billing_address=locked.billing_address, country=locked.country, contact_name=locked.contact_name,
            contact_email=locked.contact_email, wished_slug=locked.wished_slug, vat_number=locked.vat_number,
            siren=locked.siren,
            seats=locked.seats, language=locked.language, initial_term_months=locked.initial_term_months,
            actor=actor, now=now,
        )
        Quote.objects.filter(pk=draft.pk).update(supersedes=locked)
        audit_record(action="quote.superseded", actor=actor, target=locked, before={"status": before},
                     after={"status": locked.status, "superseded_by": draft.pk})
    draft.refresh_from_db()
    return draft


def quotes_expire(*, now: datetime | None = None) -> int:
    """Mark sent quotes past their validity date as expired (set-based). Returns how many."""
    today = business_date(now)
    with transaction.atomic():
        ids = list(Quote.objects.filter(status=Quote.Status.SENT, valid_until__lt=today).values_list("pk", flat=True))
        Quote.objects.filter(pk__in=ids).update(status=Quote.Status.EXPIRED)
        _audit_bulk(action="quote.expired", targets=[Quote(pk=pk) for pk in ids], tenants=[None] * len(ids),
                    afters=[{"status": "expired"}] * len(ids))
    return len(ids)


@dataclass
class SignResult:
    subscription: Subscription
    tenant: Tenant
    invoice: Invoice


def quote_sign(*, token: str, signer_name: str, signer_title: str, signer_email: str, accept_terms: bool,
               ip_address: str | None = None, user_agent: str = "", document_sha256: str | None = None,
               now: datetime | None = None) -> SignResult:
    """The prospect signs: a definitive order (GCS preamble). In one transaction: the signature evidence,
    the subscription, the tenant (schema, domain, first administrator) and the first invoice (SPEC R6).

    The quote row is locked first: a double click waits, then finds the quote signed and is refused,
    so there is never a second tenant. Any failure rolls everything back and the signer may retry."""
    now = now or timezone.now()
    if accept_terms is not True:
        raise TermsNotAcceptedError("You must accept the terms and conditions to sign.",
                                    details={"accept_terms": "required"})
    for name, value in (("signer_name", signer_name), ("signer_title", signer_title),
                        ("signer_email", signer_email)):
        if not (value or "").strip():
            raise ApplicationError("This field is required.", details={name: "required"}, code="validation_error")
    with transaction.atomic():
        quote = Quote.objects.select_for_update().filter(token=token).first()
        if quote is None:
            raise NotFoundError("No quote at this link.")
        quote_signable_check(quote=quote, now=now)
        if document_sha256 and document_sha256 != quote.pdf_sha256:
            raise DocumentChangedError("The document changed since you opened it; reload the page.")
        QuoteSignature.objects.create(
            quote=quote, signer_name=signer_name.strip(), signer_title=signer_title.strip(),
            signer_email=signer_email.strip().lower(), terms_version=quote.terms_version, signed_at=now,
            ip_address=ip_address, user_agent=(user_agent or "")[:1000], document_sha256=quote.pdf_sha256,
        )
        quote.status, quote.signed_at = Quote.Status.SIGNED, now
        quote.save(update_fields=["status", "signed_at"])
        audit_record(action="quote.signed", target=quote, before={"status": Quote.Status.SENT},
                     after={"status": quote.status, "signer_email": signer_email, "document_sha256": quote.pdf_sha256},
                     ip_address=ip_address)
        tenant = tenant_provision(
            slug=quote.wished_slug, name=quote.organisation_name, admin_email=quote.contact_email,
            seat_limit=quote.seats, storage_quota_bytes=quote.storage_quota_bytes, language=quote.language,
            custom_domains_allowed=quote.custom_domains_allowed, actor=None,
        )
        anchor = business_date(now)
        subscription = Subscription.objects.create(
            tenant=tenant, quote=quote, plan=quote.plan_price.plan, billing_period=quote.billing_period,
            seats=quote.seats, anchor_date=anchor,
            initial_period_ends_on=add_months(anchor, quote.initial_term_months), next_period_start=anchor,
            buyer_name=quote.organisation_name, buyer_address=quote.billing_address, buyer_country=quote.country,
            buyer_vat_number=quote.vat_number, buyer_siren=quote.siren, buyer_email=quote.contact_email,
        )
        audit_record(action="subscription.created", tenant=tenant, target=subscription,
                     after={"status": subscription.status, "quote": quote.pk})
        invoices = _subscriptions_invoice_next_period(subscriptions=[subscription], today=anchor)
        transaction.on_commit(_deliver_soon, robust=True)
    return SignResult(subscription=subscription, tenant=tenant, invoice=invoices[0])


def _deliver_soon() -> None:
    from .tasks import invoices_deliver

    invoices_deliver.delay()


def quote_signable_check(*, quote: Quote, now: datetime | None = None) -> None:
    """Raise the reason a quote cannot be signed now, if any (SPEC R5)."""
    if quote.status == Quote.Status.SIGNED:
        raise QuoteAlreadySignedError("This quote is already signed: it is a definitive order.")
    if quote.status in (Quote.Status.WITHDRAWN, Quote.Status.SUPERSEDED, Quote.Status.EXPIRED):
        if quote.status == Quote.Status.EXPIRED:
            raise QuoteExpiredError("This quote has expired.", details={"valid_until": quote.valid_until.isoformat()})
        raise QuoteNotSignableError(f"This quote was {quote.status} and can no longer be signed.",
                                    details={"status": quote.status})
    if quote.status != Quote.Status.SENT or not quote.pdf_sha256:
        raise QuoteNotSignableError("This quote has not been sent yet.", details={"status": quote.status})
    if business_date(now) > quote.valid_until:
        raise QuoteExpiredError("This quote has expired.", details={"valid_until": quote.valid_until.isoformat()})


# --- Invoices (SPEC R8) ----------------------------------------------------------------------------


def _buyer_snapshot(*, subscription: Subscription) -> dict[str, Any]:
    return {"name": subscription.buyer_name, "address": subscription.buyer_address,
            "country": subscription.buyer_country, "vat_number": subscription.buyer_vat_number,
            "siren": subscription.buyer_siren,
            "email": subscription.buyer_email}


def _invoice_build(*, buyer: dict[str, Any], issue_date: date, lines: list[tuple[str, Decimal, Decimal]],
                   kind: str = Invoice.Kind.INVOICE, **fields: Any) -> tuple[Invoice, list[InvoiceLine]]:
    """An unsaved invoice and its lines: amounts rounded once per line, VAT once on the total, at the
    rate in force on the issue date (GCS art. 11)."""
    treatment = vat_treatment(country=buyer["country"], vat_number=buyer.get("vat_number", ""), on=issue_date)
    invoice_lines = [
        InvoiceLine(position=i, description=description, quantity=quantity, unit_price=unit_price,
                    amount=money_round(quantity * unit_price))
        for i, (description, quantity, unit_price) in enumerate(lines, start=1)
    ]
    total = sum((line.amount for line in invoice_lines), ZERO)
    vat = money_round(total * treatment.rate / 100)
    due_date = issue_date + timedelta(days=settings.INVOICING_PAYMENT_TERMS_DAYS)
    invoice = Invoice(
        kind=kind, status=Invoice.Status.PRO_FORMA if kind == Invoice.Kind.PRO_FORMA else Invoice.Status.ISSUED,
        issue_date=issue_date, due_date=due_date, seller=seller_snapshot(), buyer=buyer,
        vat_scheme=treatment.scheme, vat_rate=treatment.rate, vat_mention=treatment.mention,
        total_excl_tax=total, total_vat=vat, total_incl_tax=total + vat,
        legal_mentions=legal_mentions(due_date=due_date),
        **fields,
    )
    return invoice, invoice_lines


def _period_lines(*, subscription: Subscription, period_start: date, period_end: date,
                  prices_by_plan: dict[int, list[PlanPrice]]) -> list[tuple[str, Decimal, Decimal]]:
    """The lines of one billing period: the quoted (locked) prices before the end of the initial period,
    the prices in force at the period start afterwards (SPEC R7 — GCS art. 11). One-off lines (setup fee)
    only on the first period."""
    label = f" ({period_start:%d/%m/%Y} – {period_end - timedelta(days=1):%d/%m/%Y})"
    if period_start < subscription.initial_period_ends_on:
        quote_lines = subscription.quote.lines.all()
        return [(line.description + (label if line.kind == QuoteLine.Kind.RECURRING else ""), line.quantity,
                 line.unit_price)
                for line in quote_lines
                if line.kind == QuoteLine.Kind.RECURRING or subscription.periods_billed == 0]
    start = business_midnight(period_start)
    price = next((p for p in prices_by_plan[subscription.plan_id] if p.valid_from <= start), None)
    if price is None:
        raise NotFoundError("No price in force for this plan.", details={"plan": subscription.plan_id})
    return [(description + label, quantity, unit_price)
            for description, quantity, unit_price in _recurring_lines(price=price, seats=subscription.seats)]


def _subscriptions_invoice_next_period(*, subscriptions: list[Subscription], today: date) -> list[Invoice]:
    """Issue, for each subscription (rows locked by the caller), the invoice of its next period, in advance,
    and move it forward one period. Set-based: one counter lock, one INSERT of invoices, one of lines.

    The one place invoices of a subscription are made (signing and billing runs)."""
    if not subscriptions:
        return []
    plan_ids = {s.plan_id for s in subscriptions}
    prices_by_plan: dict[int, list[PlanPrice]] = defaultdict(list)
    for price in PlanPrice.objects.filter(plan_id__in=plan_ids).select_related("plan").order_by("-valid_from",
                                                                                                 "-version"):
        prices_by_plan[price.plan_id].append(price)
    built: list[tuple[Invoice, list[InvoiceLine]]] = []
    for subscription in subscriptions:
        months = MONTHS_PER_PERIOD[subscription.billing_period]
        period_start = subscription.next_period_start
        period_end = add_months(subscription.anchor_date, (subscription.periods_billed + 1) * months)
        lines = _period_lines(subscription=subscription, period_start=period_start, period_end=period_end,
                              prices_by_plan=prices_by_plan)
        built.append(_invoice_build(
            buyer=_buyer_snapshot(subscription=subscription), issue_date=today, lines=lines,
            subscription=subscription, tenant_id=subscription.tenant_id, period_start=period_start,
            period_end=period_end,
        ))
        subscription.periods_billed += 1
        subscription.next_period_start = period_end
    series, first = _series_take(prefix=INVOICE_SERIES, count=len(built))
    invoices = []
    for offset, (invoice, _) in enumerate(built):
        invoice.series, invoice.sequence = series, first + offset
        invoice.number = invoice_number_format(prefix=series.prefix, year=invoice.issue_date.year,
                                               sequence=invoice.sequence)
        invoices.append(invoice)
    Invoice.objects.bulk_create(invoices)
    all_lines = []
    for invoice, lines in built:
        for line in lines:
            line.invoice = invoice
            all_lines.append(line)
    InvoiceLine.objects.bulk_create(all_lines)
    Subscription.objects.bulk_update(subscriptions, ["periods_billed", "next_period_start"])
    _audit_bulk(action="invoice.issued", targets=invoices, tenants=[s.tenant for s in subscriptions],
                afters=[{"number": i.number, "total_incl_tax": str(i.total_incl_tax)} for i in invoices])
    return invoices


def invoice_issue(*, subscription: Subscription, now: datetime | None = None) -> Invoice:
    """Issue the invoice of a subscription's next period now (in advance), whatever its date."""
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().select_related("quote", "tenant").get(pk=subscription.pk)
        if locked.status != Subscription.Status.ACTIVE:
            raise SubscriptionStateError("A cancelled subscription is not invoiced any more.")
        return _subscriptions_invoice_next_period(subscriptions=[locked], today=business_date(now))[0]


def invoice_pro_forma_issue(*, quote: Quote, actor: Any = None, now: datetime | None = None) -> Invoice:
    """A pro forma of a quote's first invoice: no number, no accounting effect (GCS art. 4)."""
    today = business_date(now)
    buyer = {"name": quote.organisation_name, "address": quote.billing_address, "country": quote.country,
             "vat_number": quote.vat_number, "siren": quote.siren, "email": quote.contact_email}
    lines = [(line.description, line.quantity, line.unit_price) for line in quote.lines.all()]
    with transaction.atomic():
        invoice, invoice_lines = _invoice_build(buyer=buyer, issue_date=today, lines=lines,
                                                kind=Invoice.Kind.PRO_FORMA)
        invoice.save()
        for line in invoice_lines:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(invoice_lines)
        audit_record(action="invoice.pro_forma_issued", actor=actor, target=invoice, after={"quote": quote.pk})
    return invoice


def credit_note_issue(*, invoice: Invoice, reason: str, actor: Any = None, now: datetime | None = None) -> Invoice:
    """Cancel an invoice by a credit note: its negated copy, numbered in the `A` series (SPEC R8)."""
    now = now or timezone.now()
    today = business_date(now)
    with transaction.atomic():
        original = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if original.kind != Invoice.Kind.INVOICE or original.status == Invoice.Status.CREDITED:
            raise InvoiceStateError("Only an issued invoice that is not credited yet can be credited.",
                                    details={"kind": original.kind, "status": original.status})
        series, sequence = _series_take(prefix=CREDIT_NOTE_SERIES, count=1)
        note = Invoice.objects.create(
            kind=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.ISSUED, series=series, sequence=sequence,
            number=invoice_number_format(prefix=series.prefix, year=today.year, sequence=sequence),
            subscription=original.subscription, tenant=original.tenant, credited_invoice=original,
            issue_date=today, due_date=today, seller=original.seller, buyer=original.buyer,
            vat_scheme=original.vat_scheme, vat_rate=original.vat_rate, vat_mention=original.vat_mention,
            total_excl_tax=-original.total_excl_tax, total_vat=-original.total_vat,
            total_incl_tax=-original.total_incl_tax,
            legal_mentions=f"Avoir sur la facture {original.number} / Credit note for invoice {original.number}. "
                           f"Motif / reason: {reason}",
        )
        InvoiceLine.objects.bulk_create([
            InvoiceLine(invoice=note, position=line.position, description=line.description,
                        quantity=-line.quantity, unit_price=line.unit_price, amount=-line.amount)
            for line in original.lines.all()
        ])
        before = original.status
        original.status = Invoice.Status.CREDITED
        original.save(update_fields=["status"])
        audit_record(action="invoice.credited", actor=actor, tenant=original.tenant, target=original,
                     before={"status": before}, after={"status": original.status, "credit_note": note.number,
                                                       "reason": reason})
        if original.tenant_id:
            _tenant_reinstate_if_settled(tenant_id=original.tenant_id, now=now)
    return note


def invoice_pdf_ensure(*, invoice: Invoice) -> str:
    """The S3 key of the invoice PDF (with its Factur-X XML), rendering and storing it once if needed.

    Invoices are platform records: kept under `invoices/`, outside any tenant prefix, they survive purges."""
    from .pdf import invoice_pdf_render

    if invoice.pdf_key:
        return invoice.pdf_key
    key = f"invoices/{invoice.pdf_filename}"
    storage.object_put(key=key, body=invoice_pdf_render(invoice=invoice), content_type="application/pdf")
    Invoice.objects.filter(pk=invoice.pk, pdf_key="").update(pdf_key=key)
    invoice.pdf_key = key
    return key


# --- Billing run (SPEC R8, §5 batch work) ----------------------------------------------------------


@dataclass
class BillingRunResult:
    dry_run: bool
    invoices_issued: int = 0
    subscriptions_due: int = 0
    numbers: list[str] = field(default_factory=list)


def billing_run(*, now: datetime | None = None, dry_run: bool = False, batch_size: int = 500) -> BillingRunResult:
    """Issue every invoice due today (Europe/Paris), in advance, period after period (catching up if runs
    were missed). Idempotent: a subscription moves forward with its invoice in one transaction, and the
    database refuses a second invoice for the same period. Safe with concurrent runs: batches are claimed
    with `SELECT … FOR UPDATE SKIP LOCKED`; a run that dies rolls its batch back (numbers included)."""
    today = business_date(now)
    # A tenant whose access has ended (terminated by the operator, SPEC R13) is not billed any more.
    due = (Subscription.objects.filter(status=Subscription.Status.ACTIVE, next_period_start__lte=today)
           .exclude(tenant__state__in=[Tenant.State.RETENTION, Tenant.State.PURGED]))
    if dry_run:
        return BillingRunResult(dry_run=True, subscriptions_due=due.count())
    result = BillingRunResult(dry_run=False)
    while True:
        with transaction.atomic():
            batch = list(
                due.select_for_update(skip_locked=True, of=("self",)).select_related("tenant", "quote")
                .prefetch_related(Prefetch("quote__lines", queryset=QuoteLine.objects.order_by("position")))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            invoices = _subscriptions_invoice_next_period(subscriptions=batch, today=today)
        result.invoices_issued += len(invoices)
        if len(result.numbers) < 1000:
            result.numbers.extend(i.number for i in invoices if i.number)
    return result


def tenant_billing_url(*, tenant: Tenant) -> str:
    """The customer administrator's billing page on the tenant's host."""
    scheme = getattr(settings, "PLATFORM_URL_SCHEME", "https")
    port = getattr(settings, "PLATFORM_URL_PORT", None)
    return f"{scheme}://{tenant.slug}.{settings.PLATFORM_DOMAIN}{f':{port}' if port else ''}/billing/"


def invoices_deliver(*, limit: int = 200, now: datetime | None = None) -> int:
    """Deliver the numbered documents not delivered yet: render and store the PDF (Factur-X), then e-mail
    the buyer a link to the billing page. Kept out of the billing run so that the run stays set-based;
    the beat task calls it right after. Each document is claimed under `SKIP LOCKED`: concurrent
    workers never deliver one twice. Returns how many were delivered."""
    now = now or timezone.now()
    delivered = 0
    while delivered < limit:
        with transaction.atomic():
            invoice = (Invoice.objects.select_for_update(skip_locked=True, of=("self",)).select_related("tenant")
                       .filter(delivered_at__isnull=True).exclude(kind=Invoice.Kind.PRO_FORMA).order_by("pk").first())
            if invoice is None:
                break
            invoice_pdf_ensure(invoice=invoice)
            invoice.delivered_at = now
            invoice.save(update_fields=["delivered_at"])
            if invoice.tenant_id:
                _invoice_email(invoice=invoice, template="invoicing/emails/invoice_issued",
                               extra={"billing_url": tenant_billing_url(tenant=invoice.tenant)})
        delivered += 1
    return delivered


# --- Payments (SPEC R9) ----------------------------------------------------------------------------


def _late_charges_apply(*, invoice: Invoice, today: date) -> bool:
    """Late invoices bear the EUR 40 recovery indemnity and interest at the configured annual rate from
    the day after the due date, on the unpaid amount incl. tax (SPEC R10 — `001_…` art. 5.5). Mutates
    `invoice` (locked by the caller); returns whether anything changed."""
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.ISSUED or today <= invoice.due_date:
        return False
    days = (today - invoice.due_date).days
    principal = max(invoice.total_incl_tax - invoice.amount_paid, ZERO)
    interest = money_round(principal * _late_interest_rate() / 100 * days / 365)
    changed = invoice.recovery_indemnity != RECOVERY_INDEMNITY or interest > invoice.late_interest
    invoice.recovery_indemnity = RECOVERY_INDEMNITY
    # Interest never goes down: a partial payment stops it growing on the part paid, not retroactively.
    invoice.late_interest = max(invoice.late_interest, interest)
    invoice.late_interest_until = today
    return changed


def payment_record(*, invoice: Invoice, amount: Decimal | str, method: str = Payment.Method.TRANSFER,
                   provider_reference: str | None = None, received_at: datetime | None = None, actor: Any = None,
                   now: datetime | None = None) -> Payment:
    """Record money received (full or partial). With a provider reference the call is idempotent: a
    replay returns the payment already recorded. Paying everything due reinstates a tenant suspended
    for non-payment at once (SPEC R10)."""
    now = now or timezone.now()
    received_at = received_at or now
    try:
        amount = money_round(Decimal(str(amount)))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmountError("The amount is not a number.", details={"amount": str(amount)}) from exc
    if amount <= 0:
        raise InvalidAmountError("The amount must be positive.", details={"amount": str(amount)})
    if provider_reference:
        existing = Payment.objects.filter(provider_reference=provider_reference).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.kind != Invoice.Kind.INVOICE or locked.status == Invoice.Status.CREDITED:
                raise InvoiceStateError("Payments are recorded against issued invoices only.",
                                        details={"kind": locked.kind, "status": locked.status})
            _late_charges_apply(invoice=locked, today=business_date(received_at))
            payment = Payment.objects.create(invoice=locked, amount=amount, method=method,
                                             provider_reference=provider_reference or None, received_at=received_at,
                                             recorded_by_email=getattr(actor, "email", "") or "")
            before = {"status": locked.status, "amount_paid": str(locked.amount_paid)}
            locked.amount_paid += amount
            if locked.balance_due <= 0:
                locked.status, locked.paid_at = Invoice.Status.PAID, received_at
            locked.save(update_fields=["amount_paid", "status", "paid_at", "recovery_indemnity", "late_interest",
                                       "late_interest_until"])
            audit_record(action="invoice.payment_recorded", actor=actor, tenant=locked.tenant, target=locked,
                         before=before, after={"status": locked.status, "amount_paid": str(locked.amount_paid),
                                               "payment": str(amount), "reference": provider_reference or ""})
            if locked.tenant_id:
                _tenant_reinstate_if_settled(tenant_id=locked.tenant_id, now=now)
    except IntegrityError:
        if provider_reference:  # a concurrent replay of the same notification won the race
            return Payment.objects.get(provider_reference=provider_reference)
        raise
    invoice.refresh_from_db()
    return payment


def webhook_signature_verify(*, body: bytes, signature: str) -> None:
    """The provider signs the raw body with HMAC-SHA256 and our shared secret: `sha256=<hex>`."""
    secret = settings.INVOICING_WEBHOOK_SECRET
    if not secret:
        raise WebhookSignatureError("The payment webhook is not configured.")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = (signature or "").removeprefix("sha256=").strip()
    if not hmac.compare_digest(expected, given):
        raise WebhookSignatureError("The signature of this notification is not valid.")


def payment_webhook_handle(*, body: bytes, signature: str, now: datetime | None = None) -> Payment:
    """A payment-provider notification: `{"reference", "invoice_number", "amount", "currency"}`, signed."""
    import json

    webhook_signature_verify(body=body, signature=signature)
    try:
        data = json.loads(body)
        reference, number, amount = str(data["reference"]), str(data["invoice_number"]), str(data["amount"])
        currency = str(data.get("currency", "EUR"))
    except (ValueError, KeyError, TypeError) as exc:
        raise ApplicationError("The notification is not valid.", code="validation_error") from exc
    if currency != "EUR":
        raise ApplicationError("Only EUR payments are accepted.", details={"currency": currency},
                               code="invalid_currency")
    invoice = Invoice.objects.filter(number=number, kind=Invoice.Kind.INVOICE).first()
    if invoice is None:
        raise NotFoundError("No invoice with this number.", details={"invoice_number": number})
    return payment_record(invoice=invoice, amount=amount, method=Payment.Method.PROVIDER,
                          provider_reference=reference, now=now)


# --- Dunning (SPEC R10) ----------------------------------------------------------------------------


@dataclass
class DunningRunResult:
    reminders: int = 0
    formal_notices: int = 0
    late_charged: int = 0
    suspended: list[str] = field(default_factory=list)


def _invoice_email(*, invoice: Invoice, template: str, extra: dict[str, Any] | None = None) -> None:
    """E-mail the buyer about `invoice`, its PDF (Factur-X, read back from S3) attached, on commit.

    The PDF is read in the caller's transaction: if S3 fails, the delivery/reminder/notice is not recorded
    and the next run sends it, rather than marking it sent and losing the document."""
    language = invoice.tenant.language if invoice.tenant_id else "fr"
    context = {"invoice": invoice, "seller": invoice.seller, "buyer": invoice.buyer,
               "rate": _late_interest_rate(), "indemnity": RECOVERY_INDEMNITY, **(extra or {})}
    pdf = storage.object_get(key=invoice_pdf_ensure(invoice=invoice))
    attachments = [(invoice.pdf_filename, pdf, "application/pdf")]
    transaction.on_commit(lambda: email_send(to=[invoice.buyer.get("email", "")], template=template,
                                             context=context, language=language, attachments=attachments))


def dunning_run(*, now: datetime | None = None, batch_size: int = 500) -> DunningRunResult:
    """Reminder 7 days before the due date; formal notice on the due date; late charges after it;
    suspension 15 days (Paris wall clock) after the formal notice if still unpaid (SPEC R10 — GCS art. 4,
    `001_…` art. 5.5). A tenant is only ever suspended for an overdue invoice."""
    now = now or timezone.now()
    today = business_date(now)
    result = DunningRunResult()
    unpaid = Invoice.objects.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED)
    with transaction.atomic():
        for invoice in (unpaid.select_for_update(skip_locked=True, of=("self",)).select_related("tenant")
                        .filter(reminder_sent_at__isnull=True, formal_notice_sent_at__isnull=True,
                                due_date__gt=today, due_date__lte=today + timedelta(days=REMINDER_DAYS_BEFORE_DUE))
                        [:batch_size]):
            invoice.reminder_sent_at = now
            invoice.save(update_fields=["reminder_sent_at"])
            audit_record(action="invoice.reminder_sent", tenant=invoice.tenant, target=invoice,
                         after={"due_date": invoice.due_date.isoformat()})
            _invoice_email(invoice=invoice, template="invoicing/emails/invoice_reminder")
            result.reminders += 1
    with transaction.atomic():
        for invoice in (unpaid.select_for_update(skip_locked=True, of=("self",)).select_related("tenant")
                        .filter(formal_notice_sent_at__isnull=True, due_date__lte=today)[:batch_size]):
            invoice.formal_notice_sent_at = now
            invoice.suspension_due_at = business_add_days(now, SUSPENSION_DAYS_AFTER_FORMAL_NOTICE)
            invoice.save(update_fields=["formal_notice_sent_at", "suspension_due_at"])
            audit_record(action="invoice.formal_notice_sent", tenant=invoice.tenant, target=invoice,
                         after={"suspension_due_at": invoice.suspension_due_at.isoformat()})
            _invoice_email(invoice=invoice, template="invoicing/emails/invoice_formal_notice")
            result.formal_notices += 1
    with transaction.atomic():
        late = (unpaid.select_for_update(skip_locked=True, of=("self",)).filter(due_date__lt=today)
                .exclude(late_interest_until=today))
        changed = []
        for invoice in late[:5000]:
            if _late_charges_apply(invoice=invoice, today=today):
                changed.append(invoice)
        Invoice.objects.bulk_update(changed, ["recovery_indemnity", "late_interest", "late_interest_until"])
        result.late_charged = len(changed)
    tenant_ids = set(unpaid.filter(suspension_due_at__lte=now, tenant__state=Tenant.State.ACTIVE)
                     .values_list("tenant_id", flat=True))
    for tenant in Tenant.objects.filter(pk__in=tenant_ids).order_by("pk"):
        with transaction.atomic():
            # Lock the overdue invoices as payment_record does: a payment landing now either commits first
            # (the invoice no longer matches, no suspension) or waits and then reinstates.
            overdue = unpaid.select_for_update(of=("self",)).filter(tenant=tenant, suspension_due_at__lte=now)
            if not list(overdue.values_list("pk", flat=True)):
                continue
            try:
                tenant_suspend(tenant=tenant, reason=NON_PAYMENT_REASON, now=now)
            except IllegalTransitionError:
                continue  # changed state meanwhile
        result.suspended.append(tenant.slug)
    return result


def _tenant_reinstate_if_settled(*, tenant_id: int, now: datetime) -> bool:
    """Full payment of everything due reactivates a tenant suspended for non-payment at once (SPEC R10)."""
    tenant = Tenant.objects.get(pk=tenant_id)
    if tenant.state != Tenant.State.SUSPENDED or tenant.suspension_reason != NON_PAYMENT_REASON:
        return False
    still_due = Invoice.objects.filter(tenant_id=tenant_id, kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED,
                                       due_date__lte=business_date(now))
    if still_due.exists():
        return False
    tenant_reinstate(tenant=tenant)
    return True


# --- Cancellation (SPEC R12) -----------------------------------------------------------------------


def subscription_paid_through(*, subscription: Subscription) -> datetime:
    """The end of the period already invoiced (in advance): access continues until then (GCS art. 3)."""
    return business_midnight(subscription.next_period_start)


def subscription_cancel(*, subscription: Subscription, actor: Any = None, now: datetime | None = None) -> Subscription:
    """The customer cancels: no refund, no further invoice, access until the paid-through date; the
    tenant's lifecycle takes over from there (SPEC R12 — GCS art. 3)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().select_related("tenant").get(pk=subscription.pk)
        if locked.status != Subscription.Status.ACTIVE:
            raise SubscriptionStateError("This subscription is already cancelled.")
        locked.status, locked.cancelled_at = Subscription.Status.CANCELLED, now
        locked.save(update_fields=["status", "cancelled_at"])
        access_ends_at = subscription_paid_through(subscription=locked)
        audit_record(action="subscription.cancelled", actor=actor, tenant=locked.tenant, target=locked,
                     before={"status": Subscription.Status.ACTIVE},
                     after={"status": locked.status, "access_ends_at": access_ends_at.isoformat()})
        tenant_cancel(tenant=locked.tenant, access_ends_at=access_ends_at, actor=actor)
    return locked


# --- Resubscription (SPEC R14) ---------------------------------------------------------------------


class OverdueBalanceError(ConflictError):
    code = "overdue_balance"


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
    twice. Refused while invoices are overdue (GCS art. 4: suspended until complete payment), once the
    retention period is over or the purge has started, and for a tenant that is not cancelled/in retention
    (the tenant row is locked first: a double click waits and is refused)."""
    from .pdf import quote_pdf_render

    now = now or timezone.now()
    today = business_date(now)
    if accept_terms is not True:
        raise TermsNotAcceptedError("You must accept the terms and conditions to subscribe again.",
                                    details={"accept_terms": "required"})
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        previous = (Subscription.objects.select_for_update().select_related("plan", "quote")
                    .filter(tenant=tenant).order_by("-id").first())
        if previous is None:
            raise NotFoundError("This organisation has no subscription to renew.")
        tenant_resubscribe(tenant=tenant, actor=actor, now=now)  # guards the state, the retention end, the purge
        overdue = Invoice.objects.filter(tenant=tenant, kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED,
                                         due_date__lt=today)
        if overdue.exists():  # rolls the tenant back too
            raise OverdueBalanceError("Please pay the overdue invoices before subscribing again.",
                                      details={"invoices": sorted(overdue.values_list("number", flat=True))})
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
        QuoteLine.objects.bulk_create([
            QuoteLine(quote=quote, position=i, kind=QuoteLine.Kind.RECURRING, description=description,
                      quantity=quantity, unit_price=unit_price, amount=money_round(quantity * unit_price))
            for i, (description, quantity, unit_price) in enumerate(_recurring_lines(price=price, seats=quote.seats),
                                                                    start=1)
        ])
        pdf = quote_pdf_render(quote=quote)
        digest = hashlib.sha256(pdf).hexdigest()
        quote.pdf_key, quote.pdf_sha256 = f"quotes/{quote.reference}-{digest[:12]}.pdf", digest
        storage.object_put(key=quote.pdf_key, body=pdf, content_type="application/pdf")
        quote.status, quote.signed_at = Quote.Status.SIGNED, now  # lines and document final: frozen from here
        quote.save(update_fields=["pdf_key", "pdf_sha256", "status", "signed_at"])
        QuoteSignature.objects.create(
            quote=quote, signer_name=signer_name, signer_title="Customer administrator", signer_email=signer_email,
            terms_version=quote.terms_version, signed_at=now, ip_address=ip_address,
            user_agent=(user_agent or "")[:1000], document_sha256=digest,
        )
        audit_record(action="quote.signed", actor=actor, tenant=tenant, target=quote,
                     after={"status": quote.status, "signer_email": signer_email, "document_sha256": digest,
                            "resubscription_of": previous.pk}, ip_address=ip_address)
        if previous.status == Subscription.Status.ACTIVE:
            previous.status, previous.cancelled_at = Subscription.Status.CANCELLED, now
            previous.save(update_fields=["status", "cancelled_at"])
            audit_record(action="subscription.cancelled", actor=actor, tenant=tenant, target=previous,
                         before={"status": Subscription.Status.ACTIVE},
                         after={"status": previous.status, "replaced_by_quote": quote.pk})
        anchor = max(today, previous.next_period_start)
        subscription = Subscription.objects.create(
            tenant=tenant, quote=quote, plan=previous.plan, billing_period=quote.billing_period, seats=quote.seats,
            anchor_date=anchor, initial_period_ends_on=add_months(anchor, quote.initial_term_months),
            next_period_start=anchor, buyer_name=previous.buyer_name, buyer_address=previous.buyer_address,
            buyer_country=previous.buyer_country, buyer_vat_number=previous.buyer_vat_number,
            buyer_siren=previous.buyer_siren, buyer_email=previous.buyer_email,
        )
        audit_record(action="subscription.created", actor=actor, tenant=tenant, target=subscription,
                     after={"status": subscription.status, "quote": quote.pk, "resubscription_of": previous.pk})
        invoices = _subscriptions_invoice_next_period(subscriptions=[subscription], today=today)
        transaction.on_commit(_deliver_soon, robust=True)
    return SignResult(subscription=subscription, tenant=tenant, invoice=invoices[0])
