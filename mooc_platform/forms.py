from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mooc_platform.errors import Code

from .accounts.passwords import password_sign_in_refusal
from .accounts.throttling import login_failure_record, login_is_throttled, login_succeeded
from .http import client_ip


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                                                 "autocomplete": "email"}))
    error_messages = {
        "invalid_login": _("Unknown e-mail or wrong password for this organisation."),
        "inactive": _("This account is inactive."),
        "throttled": _("Too many failed attempts for this e-mail. Wait 15 minutes or reset your password."),
    }

    def clean(self) -> dict[str, Any]:
        """SPEC R3: failed logins are limited per account and address (mooc_platform.accounts.throttling);
        the e-mail's case does not matter, as on the API."""
        email = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) or ""
        if email and login_is_throttled(email=email, ip=ip):
            raise ValidationError(self.error_messages["throttled"], code=Code.THROTTLED)
        try:
            cleaned = super().clean()
        except ValidationError:
            if email:
                login_failure_record(email=email, ip=ip)
            raise
        refusal = password_sign_in_refusal(user=self.get_user())
        if refusal:  # the organisation signs in through its identity provider (issue 17 item 1)
            raise ValidationError(refusal, code=Code.SSO_REQUIRED)
        login_succeeded(email=email, ip=ip)
        return cleaned
