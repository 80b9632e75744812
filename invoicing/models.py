"""Plans and prices, quotes and signatures, subscriptions, invoices, payments (SPEC R4–R10).

Every table lives in `public`: invoices are platform records, they outlive a tenant's purge (SPEC R12).
Amounts are EUR excluding tax unless a field says otherwise; no rules here, see `services/`."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mooc_platform.i18n import LANGUAGES
from tenants.models import Tenant

from .money import ZERO


def money_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


MONTHS_PER_PERIOD = {BillingPeriod.MONTHLY: 1, BillingPeriod.ANNUAL: 12}


class Plan(models.Model):
    """A product of the price list. Its prices are versioned in PlanPrice (SPEC R7)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlanPrice(models.Model):
    """One version of a plan's prices, in force from `valid_from`. Never edited: a change is a new row.

    New quotes use the version in force; a subscription keeps the quoted prices until the end of its
    initial period, then takes the version in force at each period start (GCS art. 11)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="prices")
    version = models.PositiveIntegerField()
    valid_from = models.DateTimeField()
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices, default=BillingPeriod.MONTHLY)
    flat_amount = money_field(default=ZERO, help_text=_("EUR excl. tax per billing period."))
    per_seat_amount = money_field(default=ZERO, help_text=_("EUR excl. tax per seat and billing period."))
    setup_fee = money_field(default=ZERO, help_text=_("EUR excl. tax, invoiced once with the first period."))
    seats = models.PositiveIntegerField(default=50, help_text=_("Seats included by default in a quote."))
    storage_quota_bytes = models.BigIntegerField(default=10 * 1024**3)
    custom_domains_allowed = models.BooleanField(default=False)
    currency = models.CharField(max_length=3, default="EUR", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="plan_price_version_unique"),
            models.CheckConstraint(condition=Q(flat_amount__gte=0) & Q(per_seat_amount__gte=0) & Q(setup_fee__gte=0),
                                   name="plan_price_amounts_non_negative"),
            models.CheckConstraint(condition=Q(currency="EUR"), name="plan_price_currency_eur"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.version}"


class Quote(models.Model):
    """An offer to a prospect (SPEC R4). Once signed it is a definitive order: frozen (GCS preamble)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        SIGNED = "signed", _("Signed")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Superseded")

    plan_price = models.ForeignKey(PlanPrice, on_delete=models.PROTECT, related_name="quotes")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    token = models.CharField(max_length=64, unique=True)
    organisation_name = models.CharField(max_length=200)
    billing_address = models.TextField()
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2, e.g. FR, DE, US."))
    vat_number = models.CharField(max_length=20, blank=True)
    siren = models.CharField(max_length=9, blank=True, help_text=_("French buyers: SIREN (mandatory on invoices)."))
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    language = models.CharField(max_length=8, default="fr", choices=LANGUAGES)
    wished_slug = models.SlugField(max_length=40)
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices)
    seats = models.PositiveIntegerField()
    storage_quota_bytes = models.BigIntegerField()
    custom_domains_allowed = models.BooleanField(default=False)
    initial_term_months = models.PositiveSmallIntegerField(default=12)
    valid_until = models.DateField(help_text=_("Last day (Europe/Paris) on which the quote can be signed."))
    terms_version = models.CharField(max_length=40)
    # The terms of sale the quote was sent with (SPEC R22): kept, whatever version is published later.
    terms = models.ForeignKey("TermsVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="quotes")
    pdf_key = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_by_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # An amendment quote changes the seats / storage quota of this running subscription (issue 9 item 12).
    amends = models.ForeignKey("Subscription", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="amendments")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="quote_seats_positive"),
            models.CheckConstraint(condition=~Q(status="signed") | Q(signed_at__isnull=False),
                                   name="quote_signed_has_time"),
        ]

    def __str__(self) -> str:
        return f"Q-{self.pk:06d} {self.organisation_name}" if self.pk else self.organisation_name

    @property
    def reference(self) -> str:
        return f"Q-{self.pk:06d}"


class QuoteLine(models.Model):
    class Kind(models.TextChoices):
        RECURRING = "recurring", _("Per billing period")
        ONE_OFF = "one_off", _("One-off (first invoice)")

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=10, decimal_places=2)
    unit_price = money_field()
    amount = money_field()

    class Meta:
        ordering = ["quote", "position"]
        constraints = [models.UniqueConstraint(fields=["quote", "position"], name="quote_line_position_unique")]

    def __str__(self) -> str:
        return self.description


class QuoteSignature(models.Model):
    """The evidence of a signature (SPEC R5). One per quote, enforced by the database."""

    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="signature")
    signer_name = models.CharField(max_length=200)
    signer_title = models.CharField(max_length=200)
    signer_email = models.EmailField()
    terms_version = models.CharField(max_length=40)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    document_sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the exact quote PDF signed."))
    terms_sha256 = models.CharField(max_length=64, blank=True,
                                    help_text=_("SHA-256 of the terms of sale PDF accepted (SPEC R22)."))

    def __str__(self) -> str:
        return f"{self.quote} signed by {self.signer_name}"


class Subscription(models.Model):
    """What a signed quote sold: billed in advance, period after period, until cancelled (SPEC R7, R12)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled (access until the paid-through date)")

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="subscriptions")
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices)
    seats = models.PositiveIntegerField()
    anchor_date = models.DateField(help_text=_("First day of the first period (Europe/Paris)."))
    initial_period_ends_on = models.DateField(help_text=_("Quoted prices are locked before this date (R7)."))
    periods_billed = models.PositiveIntegerField(default=0)
    next_period_start = models.DateField(
        db_index=True, help_text=_("First day not invoiced yet = the paid-through date once invoices are paid."))
    # The buyer, as signed; copied on every invoice.
    buyer_name = models.CharField(max_length=200)
    buyer_address = models.TextField()
    buyer_country = models.CharField(max_length=2)
    buyer_vat_number = models.CharField(max_length=20, blank=True)
    buyer_siren = models.CharField(max_length=9, blank=True)
    buyer_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_period_start"], name="subscription_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(next_period_start__gte=F("anchor_date")),
                                   name="subscription_periods_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_name} ({self.get_billing_period_display()})"


class InvoiceSeries(models.Model):
    """The counter of a numbering series. Numbers are taken under a row lock, in the issuing
    transaction: a rollback returns them, so the series has no gaps (SPEC R8). Never "max + 1"."""

    prefix = models.CharField(max_length=4, unique=True, help_text=_("F: invoices, A: credit notes (avoirs)."))
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix} ({self.last_number})"


class Invoice(models.Model):
    """An invoice, credit note or pro forma: a frozen snapshot (seller, buyer, lines, VAT) never edited
    after issue; corrections are credit notes (SPEC R8). Payments and late charges change the balance."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")
        PRO_FORMA = "pro_forma", _("Pro forma invoice")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued, unpaid")
        PAID = "paid", _("Paid")
        CREDITED = "credited", _("Cancelled by a credit note")
        PRO_FORMA = "pro_forma", _("Pro forma")

    class VatScheme(models.TextChoices):
        FRANCE = "fr", _("French VAT")
        REVERSE_CHARGE = "reverse_charge", _("Intra-EU reverse charge")
        EXPORT = "export", _("Outside the EU, not subject to French VAT")
        OSS = "oss", _("VAT of the buyer's EU member state (One-Stop Shop)")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    series = models.ForeignKey(InvoiceSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField(null=True, blank=True)
    number = models.CharField(max_length=20, null=True, blank=True, unique=True)
    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="invoices")
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    credited_invoice = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="credit_notes")
    issue_date = models.DateField()
    due_date = models.DateField()
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True, help_text=_("Exclusive: the first day not covered."))
    seller = models.JSONField()
    buyer = models.JSONField()
    currency = models.CharField(max_length=3, default="EUR")
    vat_scheme = models.CharField(max_length=16, choices=VatScheme.choices)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat_mention = models.CharField(max_length=300, blank=True)
    total_excl_tax = money_field()
    total_vat = money_field()
    total_incl_tax = money_field()
    amount_paid = money_field(default=ZERO)
    recovery_indemnity = money_field(default=ZERO, help_text=_("EUR 40 fixed recovery indemnity once late."))
    late_interest = money_field(default=ZERO)
    late_interest_until = models.DateField(null=True, blank=True)
    legal_mentions = models.TextField(blank=True)
    pdf_key = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True,
                                        help_text=_("When the PDF was stored and the buyer told."))
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    formal_notice_sent_at = models.DateTimeField(null=True, blank=True)
    suspension_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # An invoice of a period after an operator's termination (SPEC R13): not dunned any more; a credit note is
    # proposed to the operator, who decides (`invoices_credit_note_proposed`, `credit_note_issue`).
    credit_note_proposed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        indexes = [models.Index(fields=["status", "due_date"], name="invoice_status_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["series", "sequence"], name="invoice_series_sequence_unique"),
            # One invoice per subscription and period: a second billing run cannot duplicate (R8).
            models.UniqueConstraint(fields=["subscription", "period_start"], condition=Q(kind="invoice"),
                                    name="invoice_one_per_subscription_period"),
            models.CheckConstraint(
                condition=(Q(kind="pro_forma") & Q(number__isnull=True) & Q(sequence__isnull=True))
                | (~Q(kind="pro_forma") & Q(number__isnull=False) & Q(sequence__isnull=False)),
                name="invoice_numbered_unless_pro_forma"),
            models.CheckConstraint(condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"),
            models.CheckConstraint(condition=Q(total_incl_tax=F("total_excl_tax") + F("total_vat")),
                                   name="invoice_totals_add_up"),
            models.CheckConstraint(condition=Q(currency="EUR"), name="invoice_currency_eur"),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gt=F("period_start")),
                name="invoice_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.number or f"PRO-FORMA-{self.pk}"

    @property
    def total_due(self) -> Decimal:
        """What the customer owes on this document: amount incl. tax + late charges."""
        return self.total_incl_tax + self.recovery_indemnity + self.late_interest

    @property
    def balance_due(self) -> Decimal:
        """Still to pay (negative: overpaid). Zero for pro forma and credited invoices."""
        if self.kind != self.Kind.INVOICE or self.status == self.Status.CREDITED:
            return ZERO
        return self.total_due - self.amount_paid

    @property
    def pdf_filename(self) -> str:
        return f"{self.number or f'pro-forma-{self.pk}'}.pdf"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=10, decimal_places=2)
    unit_price = money_field()
    amount = money_field(help_text=_("EUR excl. tax = quantity × unit price, rounded once."))

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position_unique")]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received against an invoice (SPEC R9): a bank transfer recorded by an operator or a
    payment-provider notification. A provider reference is recorded once, however often it is replayed."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        PROVIDER = "provider", _("Payment provider")
        CREDIT = "credit", _("Customer credit")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = money_field()
    method = models.CharField(max_length=10, choices=Method.choices)
    provider_reference = models.CharField(max_length=120, null=True, blank=True, unique=True)
    received_at = models.DateTimeField()
    recorded_by_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.amount} EUR on {self.invoice}"


class CustomerCredit(models.Model):
    """Money a customer paid on an invoice later cancelled by a credit note: kept on the customer's balance and
    used by its next invoices (a `Payment` of method `credit` each time) rather than stranded (SPEC R8, R9)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    credit_note = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="customer_credit")
    amount = money_field()
    remaining = money_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="customer_credit_amount_positive"),
            models.CheckConstraint(condition=Q(remaining__gte=0) & Q(remaining__lte=F("amount")),
                                   name="customer_credit_remaining_within_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.remaining} / {self.amount} EUR credit ({self.credit_note})"


class VatNumberCheck(models.Model):
    """One consultation of VIES about a buyer's VAT number (SPEC R8): the evidence behind a reverse charge,
    or the trace that VIES could not answer (then the number was accepted on its format alone)."""

    class Result(models.TextChoices):
        VALID = "valid", _("Registered in VIES")
        INVALID = "invalid", _("Not registered in VIES")
        UNAVAILABLE = "unavailable", _("VIES did not answer")

    vat_number = models.CharField(max_length=20, db_index=True)
    result = models.CharField(max_length=12, choices=Result.choices)
    checked_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    name = models.CharField(max_length=300, blank=True)
    address = models.TextField(blank=True)
    request_identifier = models.CharField(max_length=64, blank=True, help_text=_("VIES consultation number."))
    error = models.CharField(max_length=300, blank=True)
    quote = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="vat_checks")
    checked_by_email = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.vat_number}: {self.result} ({self.checked_at:%Y-%m-%d %H:%M})"


class CollectiveProceedings(models.Model):
    """A customer under safeguard, receivership or judicial liquidation (`001_…` §5.5: no late-payment
    compensation then), recorded by an operator (audited). While open (`ended_at` empty): no late charges, no
    automatic suspension, no automatic termination for non-payment (SPEC R27). Kept after it ends, as history."""

    class Kind(models.TextChoices):
        SAFEGUARD = "safeguard", _("Safeguard procedure")
        RECEIVERSHIP = "receivership", _("Receivership")
        LIQUIDATION = "liquidation", _("Judicial liquidation")

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="collective_proceedings")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reference = models.CharField(max_length=200, blank=True, help_text=_("Court and judgment reference."))
    started_at = models.DateTimeField()
    started_by_email = models.CharField(max_length=254)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by_email = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant"], condition=Q(ended_at__isnull=True),
                                    name="collective_proceedings_one_open_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.tenant_id})"


class NonPaymentTerminationWarning(models.Model):
    """The last e-mail warning before a termination for non-payment (SPEC R27), one per suspension: the
    database refuses a second one for the same (tenant, suspension start), so it is sent exactly once."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    suspended_at = models.DateTimeField(help_text=_("The start of the suspension this warning is about."))
    sent_at = models.DateTimeField()
    termination_due_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "suspended_at"], name="non_payment_warning_once_per_suspension"),
        ]

    def __str__(self) -> str:
        return f"Termination warning for {self.tenant_id} ({self.sent_at:%Y-%m-%d})"


class PlanRetirement(models.Model):
    """An operator stops marketing a plan (GCS art. 1, SPEC R24): no new quote from then on, and each of its
    customers keeps access until the later of its paid-through date and six months after this notice."""

    plan = models.OneToOneField(Plan, on_delete=models.PROTECT, related_name="retirement")
    announced_at = models.DateTimeField()
    announced_by_email = models.CharField(max_length=254, blank=True)
    notice_ends_at = models.DateTimeField(help_text=_("Six months after the notice (Paris wall clock)."))
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-announced_at", "-id"]

    def __str__(self) -> str:
        return f"Retirement of {self.plan}"


class SubscriptionRetirement(models.Model):
    """What a plan's retirement means for one subscription: its access end and the export reminders sent 30 and 7
    days before it (each once: the dates recorded here)."""

    retirement = models.ForeignKey(PlanRetirement, on_delete=models.PROTECT, related_name="subscriptions")
    subscription = models.OneToOneField(Subscription, on_delete=models.PROTECT, related_name="retirement")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    paid_through = models.DateTimeField()
    access_ends_at = models.DateTimeField()
    notified_at = models.DateTimeField()
    reminder_30_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_7_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["access_ends_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(access_ends_at__gte=F("paid_through")),
                                              name="subscription_retirement_access_after_paid_through")]

    def __str__(self) -> str:
        return f"{self.subscription} until {self.access_ends_at:%Y-%m-%d}"


class RenewalNotice(models.Model):
    """The notice of a subscription's tacit renewal, sent once per term (SPEC R23 — `001_…` §5.2, §7): "your
    subscription renews on `term_ends_on` for `amount_excl_tax` (excl. tax) per period; cancel before that date
    to stop it", with the amount before the renewal when it differs. The unique constraint makes it once per
    term; `sent_at` is set when the e-mail left (an unsent row is retried by the next run)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="renewal_notices")
    term_ends_on = models.DateField(help_text=_("The renewal date: first day of the next term (Europe/Paris)."))
    amount_excl_tax = money_field(help_text=_("EUR excl. tax per billing period from the renewal."))
    previous_amount_excl_tax = money_field(help_text=_("EUR excl. tax per billing period before the renewal."))
    recipients = models.JSONField(default=list)
    language = models.CharField(max_length=8, default="fr", choices=LANGUAGES)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-term_ends_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "term_ends_on"], name="renewal_notice_once_per_term"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} renews on {self.term_ends_on}"

    @property
    def price_changes(self) -> bool:
        return self.amount_excl_tax != self.previous_amount_excl_tax


class TermsVersion(models.Model):
    """One version of the terms of sale (SPEC R22 — GCS preamble, `001_…` §3): the full text in French and in
    English, the date it applies from, and the SHA-256 of its PDF (both texts; rendered deterministically and kept
    on S3, the document shown, downloaded and e-mailed). Never edited: a change is a new version. A quote keeps the
    version in force when it was sent (`Quote.terms`); a new version applies to quotes sent from its date."""

    version = models.CharField(max_length=40, unique=True)
    effective_at = models.DateTimeField(db_index=True)
    text_fr = models.TextField()
    text_en = models.TextField()
    sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the PDF (French and English texts)."))
    pdf_key = models.CharField(max_length=200)
    published_at = models.DateTimeField()
    published_by_email = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-effective_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text_fr="") & ~Q(text_en=""), name="terms_version_texts_present"),
        ]

    def __str__(self) -> str:
        return self.version

    def text(self, language: str) -> str:
        return self.text_fr if language == "fr" else self.text_en

    @property
    def pdf_filename(self) -> str:
        return f"terms-of-sale-{self.version}.pdf"


class TermsAnnouncement(models.Model):
    """The e-mail telling a live tenant's administrators of a new terms version, once per tenant and version."""

    terms = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="announcements")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["terms", "tenant"], name="terms_announcement_once")]

    def __str__(self) -> str:
        return f"{self.terms} → {self.tenant}"
