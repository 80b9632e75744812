"""Terms of sale (SPEC R22): the versions on record, and publishing a new one after a confirmation that states its
consequence (who is e-mailed, which quotes it applies to)."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from invoicing import selectors as invoicing_selectors
from invoicing import services as invoicing_services
from mooc_platform.business_time import business_date, platform_tz
from mooc_platform.errors import ApplicationError
from mooc_platform.formatting import localized
from mooc_platform.http import client_ip

from ..security import operator_required
from .common import _posted


class TermsVersionForm(forms.Form):
    version = forms.CharField(
        label=gettext_lazy("Version"), max_length=40,
        help_text=gettext_lazy("Letters, digits, dots and dashes, e.g. GCS-2027-01. Never reused."))
    effective_on = forms.DateField(label=gettext_lazy("In force from (Paris date)"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=gettext_lazy("Empty: at once. A later date: quotes sent from that day."))
    text_fr = forms.CharField(label=gettext_lazy("French text"), max_length=200_000,
                              widget=forms.Textarea(attrs={"rows": 12}))
    text_en = forms.CharField(label=gettext_lazy("English text"), max_length=200_000,
                              widget=forms.Textarea(attrs={"rows": 12}))

    # The service's error details name its arguments; the form shows each on its field.
    FIELD_OF_DETAIL = {"version": "version", "text_fr": "text_fr", "text_en": "text_en", "effective_at": "effective_on"}


def _effective_at(day: object) -> datetime | None:
    """Midnight (Paris) of the day chosen; today or no day: now."""
    if not day or day <= business_date():  # type: ignore[operator]
        return None
    return datetime.combine(day, time(0), tzinfo=platform_tz())  # type: ignore[arg-type]


@operator_required
def terms_versions(request: HttpRequest) -> HttpResponse:
    """`/console/terms/`: the versions (text, date, SHA-256) and the form of a new one. A valid form first shows the
    confirmation (the administrators of N live customers are e-mailed; quotes sent from the date take it); the
    second POST (`confirm`) publishes."""
    form = TermsVersionForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        effective_at = _effective_at(data.get("effective_on"))
        if request.POST.get("confirm") == "yes":
            try:
                terms = invoicing_services.terms_version_publish(
                    version=data["version"], text_fr=data["text_fr"], text_en=data["text_en"],
                    effective_at=effective_at, actor=request.user, ip_address=client_ip(request))
            except ApplicationError as error:
                field = next((TermsVersionForm.FIELD_OF_DETAIL[key] for key in error.details or {}
                              if key in TermsVersionForm.FIELD_OF_DETAIL), None)
                form.add_error(field, error.message)
                status = 400
            else:
                messages.success(request, _("Version %(version)s is published (SHA-256 %(sha)s). The administrators of "
                                            "the live organisations are being e-mailed.")
                                 % {"version": terms.version, "sha": terms.sha256})
                return redirect("console:terms")
        else:
            when = timezone.localtime(effective_at or timezone.now(), platform_tz())
            return render(request, "console/terms_confirm.html", {
                "form": form, "data": data, "effective_label": localized(when, "datetime"),
                "live": invoicing_services.terms_live_tenants_count(),
                "current": invoicing_selectors.terms_in_force()})
    elif request.method == "POST":
        status = 400
    return render(request, "console/terms.html", {
        "versions": invoicing_selectors.terms_versions_list(), "form": form,
        "current": invoicing_selectors.terms_in_force()}, status=status)
