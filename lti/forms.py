"""The administrators' form of a platform registration (tenant host)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LtiPlatformForm(forms.Form):
    name = forms.CharField(label=_("Name (for you)"), max_length=100)
    issuer = forms.CharField(label=_("Issuer (platform ID)"), max_length=300)
    client_id = forms.CharField(label=_("Client ID"), max_length=200)
    deployment_ids = forms.CharField(label=_("Deployment IDs (one a line)"), widget=forms.Textarea(attrs={"rows": 3}))
    auth_login_url = forms.CharField(label=_("Authentication request URL"), max_length=500)
    auth_token_url = forms.CharField(label=_("Access token URL"), max_length=500)
    key_set_url = forms.CharField(label=_("Public keyset URL"), max_length=500)
    auth_audience = forms.CharField(label=_("Token audience (if the LMS asks for one)"), max_length=500,
                                    required=False)
    match_by_email = forms.BooleanField(
        label=_("A platform user whose e-mail is already an account here is that account"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
