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
