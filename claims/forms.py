"""The administrator's claim form (tenant host). Times are typed in Paris time (BusinessTimeMiddleware)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mooc_platform.formatting import localized

from .models import Claim
from .services import BODY_MAX, SUBJECT_MAX


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Claim.Kind.choices, initial=Claim.Kind.CLAIM)
    category = forms.ChoiceField(label=_("About"), choices=Claim.Category.choices)
    invoice = forms.TypedChoiceField(label=_("Invoice"), required=False, coerce=int, empty_value=None,
                                     help_text=_("When the claim is about an invoice."))
    maintenance_window = forms.TypedChoiceField(label=_("Maintenance window"), required=False, coerce=int,
                                                empty_value=None,
                                                help_text=_("When the claim is about a maintenance window."))
    incident_reference = forms.CharField(label=_("Incident"), required=False, max_length=200,
                                         help_text=_("When the claim is about an incident: what happened, when."))
    event_at = forms.DateTimeField(label=_("When did the event happen? (Paris time)"),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                              format="%Y-%m-%dT%H:%M"),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                                   help_text=_("A claim must be filed at the latest 48 hours after the event "
                                               "(terms of service, art. 13)."))
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(label=_("What happened, and what do you ask for?"), max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, invoices: Any = (), windows: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [("", "—"), *((i.pk, f"{i.number} ({localized(i.issue_date, 'date')})")
                                                       for i in invoices)]
        self.fields["maintenance_window"].choices = [("", "—"), *((w.pk, w.label) for w in windows)]


class FollowUpForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 4}))
