"""Quotes (SPEC R4, R5, R6): create, edit while a draft, send, revise, withdraw, expire, and sign —
the signature provisions the tenant, opens the subscription and issues its first invoice."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.errors import Code
from mooc_platform import storage
from mooc_platform.audit import audit_record, audit_record_many
from mooc_platform.business_time import add_months, business_date
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, NotFoundError
from tenants.models import Tenant
from tenants.services import tenant_provision, tenant_slug_validate

from ..errors import (
    DocumentChangedError,
    InitialTermError,
    QuoteAlreadySignedError,
    QuoteExpiredError,
    QuoteFrozenError,
    QuoteNotSignableError,
    TermsNotAcceptedError,
)
from ..models import MONTHS_PER_PERIOD, Invoice, Plan, PlanPrice, Quote, QuoteLine, QuoteSignature, Subscription
from ..money import money_round
from ..vat import siren_clean, vat_number_clean
from ..vies import vat_check_attach, vat_number_vies_verify
from .invoices import _deliver_soon, _subscriptions_invoice_next_period, seller_snapshot
from .plans import _recurring_lines, plan_price_current
from .terms import _quote_terms_attach, signed_order_send


def _status(quote: Quote) -> str:
    """A quote's state as a word of a sentence: `signed`, `signé`."""
    return str(quote.get_status_display()).lower()

def quote_initial_term_check(*, initial_term_months: int, billing_period: str) -> None:
    """The initial term (prices locked, SPEC R7) is a whole number of billing periods: it ends where an invoiced
    period ends, so no period is billed half at the quoted price and half at the new one."""
    months = MONTHS_PER_PERIOD[billing_period]
    if initial_term_months < 1 or initial_term_months % months:
        raise InitialTermError(
            _("The initial term must be a whole number of billing periods (%(months)s months).") % {"months": months},
            details={"initial_term_months": initial_term_months, "billing_period": billing_period,
                     "months_per_period": months})


def quote_create(*, plan: Plan, organisation_name: str, billing_address: str, country: str, contact_name: str,
                 contact_email: str, wished_slug: str, vat_number: str = "", siren: str = "", seats: int | None = None,
                 valid_until: date | None = None, terms_version: str | None = None, language: str = "fr",
                 initial_term_months: int = 12, actor: Any = None, now: datetime | None = None) -> Quote:
    """A draft quote at the prices in force now. Lines: the plan's recurring lines and its setup fee."""
    now = now or timezone.now()
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ApplicationError(_("The country must be an ISO 3166 two-letter code."), details={"country": country},
                               code=Code.INVALID_COUNTRY)
    vat_number = vat_number_clean(vat_number=vat_number, country=country)
    siren = siren_clean(siren=siren, country=country)
    tenant_slug_validate(slug=wished_slug)
    if valid_until is not None and valid_until < business_date(now):
        raise ApplicationError(_("The validity date cannot be in the past."), code=Code.INVALID_VALID_UNTIL,
                               details={"valid_until": valid_until.isoformat()})
    vies_check = vat_number_vies_verify(vat_number=vat_number, actor=actor, now=now)  # outside any lock
    price = plan_price_current(plan=plan, at=now)
    quote_initial_term_check(initial_term_months=initial_term_months, billing_period=price.billing_period)
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
        raise ApplicationError(_("These fields cannot be edited."), details={"fields": sorted(unknown)},
                               code=Code.INVALID_FIELDS)
    vies_check = None
    if changes.get("vat_number"):  # VIES is asked before the row is locked (it may take seconds)
        country = str(changes.get("country", quote.country)).upper()
        vies_check = vat_number_vies_verify(
            vat_number=vat_number_clean(vat_number=changes["vat_number"], country=country), actor=actor)
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        if locked.status != Quote.Status.DRAFT:
            raise QuoteFrozenError(_("A %(status)s quote cannot be edited.") % {"status": _status(locked)},
                                   details={"status": locked.status})
        if {"country", "vat_number", "siren"} & set(changes):
            changes["country"] = changes.get("country", locked.country).upper()
            changes["vat_number"] = vat_number_clean(vat_number=changes.get("vat_number", locked.vat_number),
                                                     country=changes["country"])
            changes["siren"] = siren_clean(siren=changes.get("siren", locked.siren), country=changes["country"])
        if "wished_slug" in changes:
            changes["wished_slug"] = tenant_slug_validate(slug=changes["wished_slug"])
        if "initial_term_months" in changes:
            quote_initial_term_check(initial_term_months=changes["initial_term_months"],
                                     billing_period=locked.billing_period)
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


def _quote_document_store(*, quote: Quote) -> None:
    """Render the quote PDF (the exact document signed), keep it on S3 and its key and SHA-256 on the quote
    (the caller saves it)."""
    from ..documents import quote_pdf_render

    pdf = quote_pdf_render(quote=quote)
    digest = hashlib.sha256(pdf).hexdigest()
    key = f"quotes/{quote.reference}-{digest[:12]}.pdf"
    storage.object_put(key=key, body=pdf, content_type="application/pdf")
    quote.pdf_key, quote.pdf_sha256 = key, digest


def quote_send(*, quote: Quote, signing_base_url: str, actor: Any = None, now: datetime | None = None) -> Quote:
    """Render the quote PDF (the exact document the signer will sign), keep it on S3 with its SHA-256 and
    e-mail the tokenised signing link to the contact."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        if locked.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
            raise QuoteFrozenError(_("A %(status)s quote cannot be sent.") % {"status": _status(locked)},
                                   details={"status": locked.status})
        if business_date(now) > locked.valid_until:
            raise QuoteExpiredError(_("This quote's validity date has passed."),
                                    details={"valid_until": locked.valid_until.isoformat()})
        if not locked.pdf_key:
            _quote_terms_attach(quote=locked, now=now)  # the PDF names the terms version and its SHA-256
            _quote_document_store(quote=locked)
        before = locked.status
        locked.status, locked.sent_at = Quote.Status.SENT, now
        locked.save(update_fields=["status", "sent_at", "pdf_key", "pdf_sha256", "terms", "terms_version"])
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
            raise QuoteFrozenError(_("A %(status)s quote cannot be withdrawn.") % {"status": _status(locked)},
                                   details={"status": locked.status})
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
            raise QuoteFrozenError(_("A %(status)s quote cannot be revised.") % {"status": _status(locked)},
                                   details={"status": locked.status})
        if locked.amends_id:
            raise QuoteFrozenError(_("An amendment quote is not revised: withdraw it and prepare a new one from the "
                                   "organisation's console page."), details={"amends": locked.amends_id})
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
        audit_record_many(action="quote.expired", targets=[Quote(pk=pk) for pk in ids], tenants=[None] * len(ids),
                    afters=[{"status": "expired"}] * len(ids))
    return len(ids)


@dataclass
class SignResult:
    subscription: Subscription
    tenant: Tenant
    invoice: Invoice | None  # None for an amendment quote: the next period's invoice carries it


def quote_sign(*, token: str, signer_name: str, signer_title: str, signer_email: str, accept_terms: bool,
               ip_address: str | None = None, user_agent: str = "", document_sha256: str | None = None,
               now: datetime | None = None) -> SignResult:
    """The prospect signs: a definitive order (GCS preamble). In one transaction: the signature evidence,
    the subscription, the tenant (schema, domain, first administrator) and the first invoice (SPEC R6).

    The quote row is locked first: a double click waits, then finds the quote signed and is refused,
    so there is never a second tenant. Any failure rolls everything back and the signer may retry."""
    now = now or timezone.now()
    if accept_terms is not True:
        raise TermsNotAcceptedError(_("You must accept the terms and conditions to sign."),
                                    details={"accept_terms": "required"})
    for name, value in (("signer_name", signer_name), ("signer_title", signer_title),
                        ("signer_email", signer_email)):
        if not (value or "").strip():
            raise ApplicationError(_("This field is required."), details={name: "required"}, code=Code.VALIDATION_ERROR)
    with transaction.atomic():
        quote = Quote.objects.select_for_update().filter(token=token).first()
        if quote is None:
            raise NotFoundError(_("No quote at this link."))
        quote_signable_check(quote=quote, now=now)
        if document_sha256 and document_sha256 != quote.pdf_sha256:
            raise DocumentChangedError(_("The document changed since you opened it; reload the page."))
        _quote_signature_record(quote=quote, signer_name=signer_name, signer_title=signer_title,
                                signer_email=signer_email, ip_address=ip_address, user_agent=user_agent, now=now)
        if quote.amends_id:  # an amendment of a running subscription: new limits, no new tenant
            from ..amendments import subscription_amendment_apply

            subscription = subscription_amendment_apply(quote=quote, now=now)
            return SignResult(subscription=subscription, tenant=subscription.tenant, invoice=None)
        tenant = tenant_provision(
            slug=quote.wished_slug, name=quote.organisation_name, admin_email=quote.contact_email,
            admin_full_name=quote.contact_name,
            seat_limit=quote.seats, storage_quota_bytes=quote.storage_quota_bytes, language=quote.language,
            custom_domains_allowed=quote.custom_domains_allowed, actor=None,
        )
        anchor = business_date(now)
        subscription, invoice = _subscription_open(quote=quote, tenant=tenant, anchor=anchor, today=anchor)
    return SignResult(subscription=subscription, tenant=tenant, invoice=invoice)


def _quote_signature_record(*, quote: Quote, signer_name: str, signer_title: str, signer_email: str,
                            ip_address: str | None, user_agent: str, now: datetime, actor: Any = None,
                            tenant: Tenant | None = None, audit_extra: dict[str, Any] | None = None) -> None:
    """The signature evidence of a sent quote (SPEC R5: who, when, IP, user agent, the SHA-256 of the exact
    document) and the quote signed, frozen from here; audited. Inside the caller's transaction."""
    signer_email = signer_email.strip().lower()
    QuoteSignature.objects.create(
        quote=quote, signer_name=signer_name.strip(), signer_title=signer_title.strip(), signer_email=signer_email,
        terms_version=quote.terms_version, signed_at=now, ip_address=ip_address,
        user_agent=(user_agent or "")[:1000], document_sha256=quote.pdf_sha256,
        terms_sha256=quote.terms.sha256 if quote.terms_id else "",
    )
    quote.status, quote.signed_at = Quote.Status.SIGNED, now
    quote.save(update_fields=["pdf_key", "pdf_sha256", "status", "signed_at", "terms", "terms_version"])
    audit_record(action="quote.signed", actor=actor, tenant=tenant, target=quote, before={"status": Quote.Status.SENT},
                 after={"status": quote.status, "signer_email": signer_email, "document_sha256": quote.pdf_sha256,
                        "terms_version": quote.terms_version,
                        "terms_sha256": quote.terms.sha256 if quote.terms_id else "", **(audit_extra or {})},
                 ip_address=ip_address)
    # SPEC R22: the signer and the customer contact receive the signed order (quote PDF + terms PDF).
    transaction.on_commit(lambda: signed_order_send(quote_id=quote.pk), robust=True)


def _subscription_open(*, quote: Quote, tenant: Tenant, anchor: date, today: date, actor: Any = None,
                       audit_extra: dict[str, Any] | None = None) -> tuple[Subscription, Invoice]:
    """The subscription a signed quote orders, from `anchor`, with the buyer of the quote; audited; its first
    invoice issued at once and delivered after commit (SPEC R6). Inside the caller's transaction."""
    subscription = Subscription.objects.create(
        tenant=tenant, quote=quote, plan=quote.plan_price.plan, billing_period=quote.billing_period,
        seats=quote.seats, anchor_date=anchor,
        initial_period_ends_on=add_months(anchor, quote.initial_term_months), next_period_start=anchor,
        buyer_name=quote.organisation_name, buyer_address=quote.billing_address, buyer_country=quote.country,
        buyer_vat_number=quote.vat_number, buyer_siren=quote.siren, buyer_email=quote.contact_email,
    )
    audit_record(action="subscription.created", actor=actor, tenant=tenant, target=subscription,
                 after={"status": subscription.status, "quote": quote.pk, **(audit_extra or {})})
    invoices = _subscriptions_invoice_next_period(subscriptions=[subscription], today=today)
    transaction.on_commit(_deliver_soon, robust=True)
    return subscription, invoices[0]


def quote_signable_check(*, quote: Quote, now: datetime | None = None) -> None:
    """Raise the reason a quote cannot be signed now, if any (SPEC R5)."""
    if quote.status == Quote.Status.SIGNED:
        raise QuoteAlreadySignedError(_("This quote is already signed: it is a definitive order."))
    if quote.status in (Quote.Status.WITHDRAWN, Quote.Status.SUPERSEDED, Quote.Status.EXPIRED):
        if quote.status == Quote.Status.EXPIRED:
            raise QuoteExpiredError(_("This quote has expired."),
                                    details={"valid_until": quote.valid_until.isoformat()})
        raise QuoteNotSignableError(_("This quote was %(status)s and can no longer be signed.")
                                    % {"status": _status(quote)},
                                    details={"status": quote.status})
    if quote.status != Quote.Status.SENT or not quote.pdf_sha256:
        raise QuoteNotSignableError(_("This quote has not been sent yet."), details={"status": quote.status})
    if business_date(now) > quote.valid_until:
        raise QuoteExpiredError(_("This quote has expired."), details={"valid_until": quote.valid_until.isoformat()})
