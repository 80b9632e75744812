"""The quote form of the operator console (and of the admin underneath): every rule the services check
is checked here first and shown on its field, so a bad SIREN, a taken address or a past validity date
re-displays the form with the operator's input instead of failing (issue 12)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mooc_platform.business_time import business_date
from mooc_platform.errors import ApplicationError
from tenants.services import tenant_slug_validate

from .models import Plan, Quote
from .vat import siren_clean, vat_number_clean

QUOTE_FORM_FIELDS = ["organisation_name", "billing_address", "country", "vat_number", "siren", "contact_name",
                     "contact_email", "language", "wished_slug", "seats", "valid_until", "initial_term_months"]


class QuoteChecksMixin(forms.BaseForm):
    """The services' input rules as form errors (the services check them again on save)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        country = (data.get("country") or "").strip().upper()
        if "country" in data:
            if len(country) != 2 or not country.isalpha():
                self.add_error("country", _("Use the two-letter ISO 3166 code, e.g. FR, DE, US."))
            else:
                data["country"] = country
                for name, check in (("vat_number", vat_number_clean), ("siren", siren_clean)):
                    try:
                        data[name] = check(**{name: data.get(name) or "", "country": country})
                    except ApplicationError as exc:
                        self.add_error(name, exc.message)
        if data.get("wished_slug") and (self.instance.pk is None or "wished_slug" in self.changed_data):
            try:
                data["wished_slug"] = tenant_slug_validate(slug=data["wished_slug"])
            except ApplicationError as exc:
                self.add_error("wished_slug", exc.message)
        valid_until = data.get("valid_until")
        if valid_until and valid_until < business_date() and "valid_until" in self.changed_data:
            self.add_error("valid_until", _("The validity date cannot be in the past."))
        seats = data.get("seats")
        if seats is not None and seats < 1:
            self.add_error("seats", _("At least one seat."))
        term = data.get("initial_term_months")
        if term is not None and not 1 <= term <= 60:
            self.add_error("initial_term_months", _("Between 1 and 60 months."))
        elif term is not None:
            self._initial_term_check(data=data, term=term)
        return data


    def _initial_term_check(self, *, data: dict[str, Any], term: int) -> None:
        """A whole number of billing periods (`quote_initial_term_check`): the plan's period for a new quote,
        the quote's own when it is edited."""
        from .services import plan_price_current, quote_initial_term_check

        try:
            if data.get("plan") is not None:
                period = plan_price_current(plan=data["plan"]).billing_period
            elif self.instance.pk is not None:
                period = self.instance.billing_period
            else:
                return
            quote_initial_term_check(initial_term_months=term, billing_period=period)
        except ApplicationError as exc:
            self.add_error("initial_term_months", exc.message)


class QuoteForm(QuoteChecksMixin, forms.ModelForm):
    """A new quote: the plan (its price in force) and the prospect's details."""

    plan = forms.ModelChoiceField(queryset=Plan.objects.filter(is_active=True), label=_("Plan"))

    class Meta:
        model = Quote
        fields = QUOTE_FORM_FIELDS
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"}),
                   "billing_address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["plan", *QUOTE_FORM_FIELDS])
        labels = {"organisation_name": _("Organisation name"), "billing_address": _("Billing address"),
                  "country": _("Country"), "vat_number": _("VAT number"), "siren": _("SIREN"),
                  "contact_name": _("Contact name"), "contact_email": _("Contact e-mail"), "language": _("Language"),
                  "wished_slug": _("Address (slug)"), "seats": _("Seats"), "valid_until": _("Valid until"),
                  "initial_term_months": _("Initial term (months)")}
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["wished_slug"].help_text = _("The organisation's address: <slug>.%(domain)s") % {
            "domain": settings.PLATFORM_DOMAIN}
        self.fields["seats"].required = False
        self.fields["valid_until"].required = False
        self.fields["seats"].help_text = _("Empty: the seats the plan includes.")
        self.fields["valid_until"].help_text = _("Empty: 30 days from today.")


class QuoteChangeForm(QuoteChecksMixin, forms.ModelForm):
    class Meta:
        model = Quote
        fields = QUOTE_FORM_FIELDS
