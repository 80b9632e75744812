"""Pages: on the platform host the legal notice, the privacy notice and the sub-processors; on a tenant host the
organisation's privacy notice (everyone) and its editor (administrators)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError

from . import selectors, services


def _on_platform() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME


def _platform_url(path: str) -> str:
    port = f":{settings.PLATFORM_URL_PORT}" if settings.PLATFORM_URL_PORT else ""
    return f"{settings.PLATFORM_URL_SCHEME}://{settings.PLATFORM_DOMAIN}{port}{path}"


def legal_page(request: HttpRequest) -> HttpResponse:
    """`/legal/` (platform host): who publishes the service, from settings (the invoices' seller)."""
    return render(request, "privacy/legal.html", {"publisher": selectors.platform_publisher()})


def subprocessors_page(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/subprocessors.html", {"subprocessors": selectors.platform_subprocessors()})


def privacy_page(request: HttpRequest) -> HttpResponse:
    """`/privacy/`: the platform's notice on its host; the organisation's notice, then the platform's links,
    on a tenant host."""
    context = {"publisher": selectors.platform_publisher(), "subprocessors": selectors.platform_subprocessors(),
               "retention_days": settings.PRIVACY_DEACTIVATED_USER_DAYS}
    if _on_platform():
        return render(request, "privacy/platform_privacy.html", context)
    notice = selectors.tenant_privacy_notice(tenant=connection.tenant)
    return render(request, "privacy/tenant_privacy.html", {
        **context, "notice": notice, "platform_privacy_url": _platform_url("/privacy/"),
        "platform_legal_url": _platform_url("/legal/"), "subprocessors_url": _platform_url("/legal/sub-processors/")})


class NoticeForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Privacy notice of the organisation"), required=False,
                           max_length=services.NOTICE_MAX, widget=forms.Textarea(attrs={"rows": 16}),
                           help_text=gettext_lazy("Plain text; a blank line starts a new paragraph."))


@administrator_required
def privacy_edit_page(request: HttpRequest) -> HttpResponse:
    if _on_platform():
        raise Http404
    tenant = connection.tenant
    notice = selectors.tenant_privacy_notice(tenant=tenant)
    form = NoticeForm(request.POST or None, initial={"text": notice.text if notice else ""})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.tenant_privacy_notice_set(tenant=tenant, actor=request.user, text=form.cleaned_data["text"])
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The privacy notice is published."))
                return redirect("privacy")
    return render(request, "privacy/tenant_privacy_edit.html", {"form": form}, status=status)
