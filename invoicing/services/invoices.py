"""Invoices and credit notes (SPEC R8): numbering from a locked series counter, legal mentions,
frozen snapshots, the PDF (Factur-X) on S3, and delivery by e-mail."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform import storage
from mooc_platform.audit import audit_record, audit_record_many
from mooc_platform.business_time import add_months, business_date, business_midnight
from mooc_platform.emails import email_send
from mooc_platform.events import event_emit
from mooc_platform.http import tenant_url
from tenants.models import Tenant

from ..errors import InvoiceStateError, SubscriptionStateError
from ..models import (
    MONTHS_PER_PERIOD,
    CustomerCredit,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    Payment,
    PlanPrice,
    Quote,
    QuoteLine,
    Subscription,
)
from ..money import ZERO, money_round
from ..vat import vat_treatment
from .plans import _recurring_lines

INVOICE_SERIES = "F"


CREDIT_NOTE_SERIES = "A"


RECOVERY_INDEMNITY = Decimal("40.00")  # Code de commerce D441-5; `001_…` art. 5.5


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


def _deliver_soon() -> None:
    from ..tasks import invoices_deliver

    invoices_deliver.delay()


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
    # Only a version of the subscription's own billing period prices its period (SPEC R7); without one, the
    # quoted amounts stay.
    price = next((p for p in prices_by_plan[subscription.plan_id]
                  if p.valid_from <= start and p.billing_period == subscription.billing_period), None)
    if price is None:
        return [(line.description + label, line.quantity, line.unit_price)
                for line in subscription.quote.lines.all() if line.kind == QuoteLine.Kind.RECURRING]
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
    for offset, (invoice, _lines) in enumerate(built):
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
    audit_record_many(action="invoice.issued", targets=invoices, tenants=[s.tenant_id for s in subscriptions],
                afters=[{"number": i.number, "total_incl_tax": str(i.total_incl_tax)} for i in invoices])
    invoice_events_emit(invoices=invoices, event_type="invoice.issued")
    _customer_credits_apply(invoices=invoices)
    return invoices


def invoice_event_data(invoice: Invoice) -> dict[str, Any]:
    return {"invoice": {"id": invoice.pk, "number": invoice.number, "kind": invoice.kind,
                        "issue_date": invoice.issue_date.isoformat(),
                        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
                        "total_incl_tax": str(invoice.total_incl_tax), "currency": invoice.currency}}


def invoice_events_emit(*, invoices: list[Invoice], event_type: str) -> None:
    """The webhook events `invoice.issued` / `invoice.paid`, to each invoice's organisation (after the commit)."""
    tenant_ids = {invoice.tenant_id for invoice in invoices if invoice.tenant_id}
    if not tenant_ids:
        return
    schemas = dict(Tenant.objects.filter(pk__in=tenant_ids).values_list("pk", "schema_name"))
    for invoice in invoices:
        if invoice.tenant_id in schemas:
            event_emit(schema_name=schemas[invoice.tenant_id], event_type=event_type, data=invoice_event_data(invoice))


def _customer_credits_apply(*, invoices: list[Invoice]) -> None:
    """Pay new invoices from their customers' credits, oldest credit first (one query when nobody has credit, as in
    most billing runs). Each use is a `Payment` of method `credit`, audited; credits are locked while used."""
    by_tenant: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in invoices:
        if invoice.tenant_id:
            by_tenant[invoice.tenant_id].append(invoice)
    credits = list(CustomerCredit.objects.select_for_update().select_related("credit_note")
                   .filter(tenant_id__in=list(by_tenant), remaining__gt=0).order_by("created_at", "id"))
    if not credits:
        return
    now = timezone.now()
    for credit in credits:
        for invoice in by_tenant[credit.tenant_id]:
            amount = min(credit.remaining, invoice.balance_due)
            if amount <= 0:
                continue
            Payment.objects.create(invoice=invoice, amount=amount, method=Payment.Method.CREDIT, received_at=now,
                                   recorded_by_email="")
            invoice.amount_paid += amount
            if invoice.balance_due <= 0:
                invoice.status, invoice.paid_at = Invoice.Status.PAID, now
                invoice_events_emit(invoices=[invoice], event_type="invoice.paid")
            invoice.save(update_fields=["amount_paid", "status", "paid_at"])
            credit.remaining -= amount
            audit_record(action="invoice.payment_recorded", tenant=invoice.tenant, target=invoice,
                         after={"status": invoice.status, "amount_paid": str(invoice.amount_paid),
                                "payment": str(amount), "credit_note": credit.credit_note.number})
        credit.save(update_fields=["remaining"])


def invoice_issue(*, subscription: Subscription, now: datetime | None = None) -> Invoice:
    """Issue the invoice of a subscription's next period now (in advance), whatever its date."""
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().select_related("quote", "tenant").get(pk=subscription.pk)
        if locked.status != Subscription.Status.ACTIVE:
            raise SubscriptionStateError(_("A cancelled subscription is not invoiced any more."))
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
            raise InvoiceStateError(_("Only an issued invoice that is not credited yet can be credited."),
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
        if original.amount_paid > 0 and original.tenant_id:
            # The payment received on a cancelled invoice is not stranded: a credit the next invoice uses.
            credit = CustomerCredit.objects.create(tenant_id=original.tenant_id, credit_note=note,
                                                   amount=original.amount_paid, remaining=original.amount_paid)
            audit_record(action="customer_credit.created", actor=actor, tenant=original.tenant, target=credit,
                         after={"amount": str(credit.amount), "credit_note": note.number,
                                "invoice": original.number})
        if original.tenant_id:
            from .dunning import _tenant_reinstate_if_settled  # dunning e-mails invoices: import at call time

            _tenant_reinstate_if_settled(tenant_id=original.tenant_id, now=now)
    return note


def invoice_pdf_ensure(*, invoice: Invoice) -> str:
    """The S3 key of the invoice PDF (with its Factur-X XML), rendering and storing it once if needed.

    Invoices are platform records: kept under `invoices/`, outside any tenant prefix, they survive purges."""
    from ..documents import invoice_pdf_render

    if invoice.pdf_key:
        return invoice.pdf_key
    key = f"invoices/{invoice.pdf_filename}"
    storage.object_put(key=key, body=invoice_pdf_render(invoice=invoice), content_type="application/pdf")
    Invoice.objects.filter(pk=invoice.pk, pdf_key="").update(pdf_key=key)
    invoice.pdf_key = key
    return key


def tenant_billing_url(*, tenant: Tenant) -> str:
    """The customer administrator's billing page on the tenant's host."""
    return tenant_url(slug=tenant.slug, path="/billing/")


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
