"""Forms of the operator console. They only parse and bound input; the rules are the services'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mooc_platform.forms import EmailAuthenticationForm


class ConsoleLoginForm(EmailAuthenticationForm):
    """E-mail and password of an operator (the second factor comes next)."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not getattr(user, "is_operator", False):
            raise forms.ValidationError(_("This account is not an operator account."), code="not_operator")


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Code from your authenticator app, or a recovery code"), max_length=16,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))


class ConfirmForm(forms.Form):
    """A confirmation with nothing to type."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the customer, kept in the audit log)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)


class LimitsForm(forms.Form):
    seat_limit = forms.IntegerField(label=_("Seats"), min_value=1, max_value=1_000_000)
    storage_quota_gb = forms.DecimalField(label=_("Storage quota (GB)"), min_value=Decimal("0.1"),
                                          max_value=Decimal("100000"), decimal_places=1)
    valid_until = forms.DateField(label=_("Quote valid until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("Empty: 30 days from today."))


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount received (EUR)"), min_value=Decimal("0.01"),
                                max_value=Decimal("9999999999.99"), decimal_places=2)
    received_on = forms.DateField(label=_("Received on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("Empty: now."))
    reference = forms.CharField(label=_("Bank reference"), max_length=120, required=False)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("en", "English"), ("fr", "Français")])


class ProceedingsForm(forms.Form):
    """Collective proceedings opened against a customer (`001_…` §5.5)."""

    kind = forms.ChoiceField(label=_("Proceedings"), choices=[
        ("safeguard", _("Safeguard procedure")), ("receivership", _("Receivership")),
        ("liquidation", _("Judicial liquidation"))])
    reference = forms.CharField(label=_("Court and judgment reference"), max_length=200, required=False)
# --- Maintenance windows (times typed in Europe/Paris: console pages run in the Paris zone) ------------

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WindowTimesForm(forms.Form):
    start = forms.DateTimeField(label=_("Start (Paris time)"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=_("End (Paris time)"), widget=DATETIME_WIDGET)


class WindowForm(WindowTimesForm):
    """A new window. The rules (Saturday from 12:00, 24 hours, 48 hours' notice, per organisation) are the
    service's: the page asks `maintenance_window_rules_check` and lists every rule broken."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[("planned", _("Planned")), ("emergency", _("Emergency"))],
                             initial="planned")
    justification = forms.CharField(
        label=_("Justification (emergency only: the data at risk)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}))
    scope = forms.ChoiceField(label=_("Organisations affected"),
                              choices=[("all", _("All organisations")), ("selected", _("Selected organisations"))],
                              initial="all")
    tenants = forms.ModelMultipleChoiceField(label=_("Selected organisations"), required=False, queryset=None,
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    reason = forms.CharField(label=_("Reason (internal, never shown to customers)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    message_fr = forms.CharField(label=_("Public message in French"), max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    message_en = forms.CharField(label=_("Public message in English"), max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, tenants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tenants"].queryset = tenants

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("scope") == "selected" and not data.get("tenants") and "tenants" not in self.errors:
            self.add_error("tenants", _("Choose at least one organisation, or the scope “all organisations”."))
        if data.get("kind") == "emergency" and not (data.get("justification") or "").strip():
            self.add_error("justification", _("An emergency window needs a written justification."))
        return data


class ProvisionForm(forms.Form):
    """A new organisation without a quote (a pilot, an internal one): slug, plan and first administrator.
    The slug is checked by the service's own rule (`tenant_slug_validate`) and shown on its field."""

    name = forms.CharField(label=_("Organisation name"), max_length=200)
    slug = forms.CharField(label=_("Address (slug)"), max_length=40)
    plan = forms.ModelChoiceField(label=_("Plan (its seats, storage quota and custom domains)"), queryset=None)
    admin_email = forms.EmailField(label=_("First administrator's e-mail"), max_length=254)
    admin_full_name = forms.CharField(label=_("First administrator's name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language of the organisation"),
                                 choices=[("fr", "Français"), ("en", "English")], initial="fr")

    def __init__(self, *args: Any, plans: Any, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["slug"].help_text = _("The organisation's address: <slug>.%(domain)s") % {
            "domain": settings.PLATFORM_DOMAIN}

    def clean_slug(self) -> str:
        from mooc_platform.errors import ApplicationError
        from tenants.services import tenant_slug_validate

        try:
            return tenant_slug_validate(slug=self.cleaned_data["slug"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("The name must be 1 to 200 characters."))
        return name
