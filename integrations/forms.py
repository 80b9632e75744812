"""The administrators' forms of the integrations pages (tenant host)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .events import EVENT_LABELS
from .services.api_keys import RATE_LIMIT_MAX, SCOPES


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(label=_("Endpoint URL (https://…)"), max_length=500)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(label=_("Events"), choices=list(EVENT_LABELS.items()),
                                       widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=list(SCOPES.items()),
                                       widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(label=_("Expires (Paris time, optional)"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                format="%Y-%m-%dT%H:%M"),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
    rate_limit_per_minute = forms.IntegerField(label=_("Requests a minute"), min_value=1, max_value=RATE_LIMIT_MAX,
                                               initial=120)
