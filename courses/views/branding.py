"""Page: the organisation's branding; its colours as a stylesheet."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError

from .. import selectors, services, web_app
from ..colours import text_on
from .common import _error, _int_or_none


@administrator_required
def manage_branding(request: HttpRequest) -> HttpResponse:
    """The branding form: colours (swatch and hex field, live preview), logo, language, e-mail sender name. A refused
    change is shown again as typed, with each field's error (status 400)."""
    branding = selectors.branding_current()
    values = {"name": branding.name if branding and branding.name else services.branding_display_name(),
              "primary_color": branding.primary_color if branding else "#1d4ed8",
              "accent_color": branding.accent_color if branding else "#f59e0b",
              "default_language": services.tenant_default_language(),
              "email_sender_name": branding.email_sender_name if branding else ""}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        posted = {key: request.POST.get(key) for key in values}
        try:
            services.branding_update(
                actor=request.user, **posted, logo_upload_id=_int_or_none(request.POST.get("upload_id")),
                logo_remove=bool(request.POST.get("logo_remove")))
        except ApplicationError as exc:
            _error(request, exc)
            errors = {key: [str(e) for e in value] for key, value in exc.details.items()}
            values.update({key: value for key, value in posted.items() if value is not None})
            status = exc.status_code
        else:
            messages.success(request, _("Branding saved."))
            return redirect("manage-branding")
    limits = services.tenant_limits()
    return render(request, "courses/manage_branding.html", {
        "branding": branding, "values": values, "errors": errors,
        "logo_url": services.media_download_url(upload=branding.logo) if branding and branding.logo else None,
        "limits": limits, "storage_percent": round(limits.storage_used_bytes * 100 / limits.storage_quota_bytes, 1)
        if limits.storage_quota_bytes else 100}, status=status)


COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\Z")
HEX6 = re.compile(r"#[0-9a-fA-F]{6}")


def branding_css(request: HttpRequest) -> HttpResponse:
    """The organisation's colours as CSS variables, a stylesheet of its own: the Content-Security-Policy
    allows no inline style (issue 11 item 8). Only well-formed colours are written."""
    current = selectors.branding_current()
    rules = [f"--{name}: {value};" for name, value in
             (("brand", getattr(current, "primary_color", "")), ("accent", getattr(current, "accent_color", "")))
             if value and COLOUR.match(value)]
    accent = getattr(current, "accent_color", "")
    if accent and HEX6.fullmatch(accent):  # the text written on the accent colour, the more readable one
        rules.append(f"--accent-text: {text_on(accent)};")
    response = HttpResponse(":root { " + " ".join(rules) + " }\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"  # the page links it with its colours in the query
    return response


def _app_identity(request: HttpRequest) -> tuple[str, str]:
    """The organisation's displayed name and primary colour (#rrggbb), as the pages show them."""
    current = selectors.branding_current()
    primary = getattr(current, "primary_color", "") or ""
    name = current.name if current and current.name else request.tenant.name  # type: ignore[attr-defined]
    return name, primary if HEX6.fullmatch(primary) else web_app.DEFAULT_PRIMARY


def web_app_manifest(request: HttpRequest) -> JsonResponse:
    """The organisation's web app manifest: its name, colours and icons, so its site installs on a phone."""
    name, primary = _app_identity(request)
    version = urlencode({"v": primary})
    icon_url = {size: f"{reverse('web-app-icon', args=[size])}?{version}" for size in web_app.ICON_SIZES}
    response = JsonResponse(web_app.manifest(name=name, primary=primary, language=services.tenant_default_language(),
                                             icon_url=icon_url), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=300"
    return response


def web_app_icon(request: HttpRequest, size: int) -> HttpResponse:
    """The organisation's icon at 192 or 512 px: its initials on its primary colour (any and maskable)."""
    if size not in web_app.ICON_SIZES:
        raise Http404
    name, primary = _app_identity(request)
    response = HttpResponse(web_app.icon_png(text=web_app.initials(name), background=primary, size=size),
                            content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"  # the manifest names it with its colour in the query
    return response
