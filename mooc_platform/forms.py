from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                                                 "autocomplete": "email"}))
    error_messages = {
        "invalid_login": _("Unknown e-mail or wrong password for this organisation."),
        "inactive": _("This account is inactive."),
    }
