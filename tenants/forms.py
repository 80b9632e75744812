"""Forms of the customer administrators' pages (issue 13): they check the shape of the input; the rules
(at most 30 days, a valid domain not taken…) stay in the services, whose refusals the pages show."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mooc_platform.business_time import platform_tz

from .models import SupportAccessGrant
from .services.support import SUPPORT_GRANT_MAX_DAYS


class SupportGrantForm(forms.Form):
    """Grant operators access to part of the content for N days (SPEC R19)."""

    scope = forms.ChoiceField(label=_("What support may see"), choices=SupportAccessGrant.Scope.choices,
                              initial=SupportAccessGrant.Scope.USERS)
    days = forms.IntegerField(label=_("For how many days"), min_value=1, max_value=SUPPORT_GRANT_MAX_DAYS,
                              initial=7, help_text=_("At most 30 days; you can revoke it at any time."))
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False,
                             widget=forms.TextInput())


class CustomDomainForm(forms.Form):
    domain = forms.CharField(label=_("Domain name"), max_length=253,
                             help_text=_("For example learn.example.org: a name of a domain your organisation owns."))


class AuditLogFilterForm(forms.Form):
    """Filters of the organisation's audit log; every field optional, a bad value is shown on its field."""

    actor = forms.CharField(label=_("Who (part of the e-mail)"), max_length=254, required=False)
    action = forms.CharField(label=_("Action"), max_length=80, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To (inclusive)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The dates as instants: from midnight of `since` to midnight after `until`, Paris time (SPEC §2)."""
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        tz = platform_tz()
        start = datetime.combine(since, time.min, tzinfo=tz) if since else None
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz) if until else None
        return start, end
