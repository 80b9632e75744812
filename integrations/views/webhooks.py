"""The administrators' integration pages (tenant host): webhook endpoints with their delivery log, API keys."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError
from mooc_platform.http import configured_base_url

from .. import selectors
from ..events import EVENT_LABELS
from ..forms import ApiKeyForm, IdentityProviderForm, SsoPolicyForm, WebhookEndpointForm, role_mapping_text
from ..models import IdentityProvider, WebhookEndpoint
from ..services import api_keys as key_services
from ..services import sso as sso_services
from ..services import webhooks as services

DELIVERIES_SHOWN = 50


def _errors_to_form(form: forms.Form, error: ApplicationError) -> None:
    for field, errors in error.details.items():
        if field in form.fields and isinstance(errors, list) and errors:
            form.add_error(field, str(errors[0]))
    if not form.errors:
        form.add_error(None, error.message)


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = selectors.webhook_endpoint_get(endpoint_id=endpoint_id)
    if endpoint is None:
        raise Http404
    return endpoint


def _labels(events: list[str]) -> list[str]:
    return [str(EVENT_LABELS.get(e, e)) for e in events]


@administrator_required
def webhooks_page(request: HttpRequest) -> HttpResponse:
    form = WebhookEndpointForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                endpoint = services.webhook_endpoint_create(url=data["url"], events=data["events"],
                                                            description=data["description"], actor=request.user)
            except ApplicationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Endpoint registered. Verify our signature with its secret."))
                return redirect("integrations-webhook", endpoint_id=endpoint.pk)
    endpoints = list(selectors.webhook_endpoints())
    for endpoint in endpoints:
        endpoint.event_labels = _labels(endpoint.events)
    return render(request, "integrations/webhooks.html", {"form": form, "endpoints": endpoints}, status=status)


@administrator_required
def webhook_page(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    initial: dict[str, Any] = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events,
                               "is_active": endpoint.is_active}
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.webhook_endpoint_update(endpoint=endpoint, actor=request.user, url=data["url"],
                                                 events=data["events"], description=data["description"],
                                                 is_active=data["is_active"])
            except ApplicationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Endpoint saved."))
                return redirect("integrations-webhook", endpoint_id=endpoint.pk)
    deliveries = list(selectors.webhook_deliveries(endpoint=endpoint)[:DELIVERIES_SHOWN])
    return render(request, "integrations/webhook.html",
                  {"form": form, "endpoint": endpoint, "deliveries": deliveries,
                   "tolerance": 300}, status=status)


@administrator_required
@require_POST
def webhook_ping_page(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    services.webhook_ping(endpoint=_endpoint(endpoint_id))
    messages.success(request, _("Test event sent: its delivery appears in the log below."))
    return redirect("integrations-webhook", endpoint_id=endpoint_id)


@administrator_required
def webhook_rotate_page(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Confirmation, then a new secret: the receiver refuses our requests until it has the new one."""
    endpoint = _endpoint(endpoint_id)
    if request.method == "POST":
        services.webhook_secret_rotate(endpoint=endpoint, actor=request.user)
        messages.success(request, _("New secret: update your receiver, the old one no longer signs."))
        return redirect("integrations-webhook", endpoint_id=endpoint_id)
    return render(request, "integrations/confirm.html", {
        "title": _("Replace the secret"), "button": _("Replace the secret"), "testid": "webhook-rotate-confirm",
        "back_url": reverse("integrations-webhook", args=[endpoint.pk]), "back": _("Keep the current secret"),
        "consequence": _("The endpoint %(url)s gets a new secret at once: the old one no longer signs, and your "
                         "receiver refuses our requests until you give it the new one.") % {"url": endpoint.url}})


@administrator_required
@require_POST
def webhook_replay_page(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    delivery = selectors.webhook_delivery_get(endpoint=_endpoint(endpoint_id), delivery_id=delivery_id)
    if delivery is None:
        raise Http404
    try:
        services.webhook_delivery_replay(delivery=delivery, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Delivery sent again: the new attempt appears in the log."))
    return redirect("integrations-webhook", endpoint_id=endpoint_id)


@administrator_required
def webhook_delete_page(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    if request.method == "POST":
        services.webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
        messages.success(request, _("Endpoint deleted."))
        return redirect("integrations-webhooks")
    return render(request, "integrations/webhook_delete.html", {"endpoint": endpoint})


@administrator_required
def api_keys_page(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    status = 200
    created: dict[str, Any] | None = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                api_key, raw_key = key_services.api_key_create(
                    name=data["name"], scopes=data["scopes"], expires_at=data["expires_at"],
                    rate_limit_per_minute=data["rate_limit_per_minute"], actor=request.user)
            except ApplicationError as error:
                _errors_to_form(form, error)
            else:
                # Shown on this answer only, never stored: no redirect, so no copy of the key in a session.
                created, status, form = {"name": api_key.name, "key": raw_key}, 201, ApiKeyForm()
    keys = list(selectors.api_keys())
    for key in keys:
        key.scope_labels = [str(key_services.SCOPES.get(s, s)) for s in key.scopes]
    return render(request, "integrations/api_keys.html", {"form": form, "keys": keys, "created": created},
                  status=status)


@administrator_required
def api_key_revoke_page(request: HttpRequest, api_key_id: int) -> HttpResponse:
    """Confirmation, then the key is revoked: every program using it is refused from then on."""
    api_key = selectors.api_key_get(api_key_id=api_key_id)
    if api_key is None:
        raise Http404
    if request.method != "POST":
        return render(request, "integrations/confirm.html", {
            "title": _("Revoke an API key"), "button": _("Revoke the key"), "testid": "api-key-revoke-confirm",
            "back_url": reverse("integrations-api-keys"), "back": _("Keep the key"),
            "consequence": _("The key “%(name)s” stops working at once: every program that uses it is refused. "
                             "This cannot be undone; create a new key if you need one.") % {"name": api_key.name}})
    try:
        key_services.api_key_revoke(api_key=api_key, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Key “%(name)s” revoked.") % {"name": api_key.name})
    return redirect("integrations-api-keys")


# --- Single sign-on (issue 17 item 1) -------------------------------------------------------------------------

SSO_SESSION_KEY = "sso_state"


def _base_url(request: HttpRequest) -> str:
    return configured_base_url(request)


def _provider(provider_id: int) -> IdentityProvider:
    provider = selectors.identity_provider_get(provider_id=provider_id)
    if provider is None:
        raise Http404
    return provider


def _provider_data(form: IdentityProviderForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items()}


@administrator_required
def sso_page(request: HttpRequest) -> HttpResponse:
    """`/manage/sso/`: the organisation's identity providers and its sign-in policy."""
    policy = sso_services.sso_policy_get()
    form = SsoPolicyForm(request.POST or None, initial={"mode": policy.mode})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                sso_services.sso_policy_set(mode=form.cleaned_data["mode"], actor=request.user)
            except ApplicationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Sign-in policy saved."))
                return redirect("integrations-sso")
    return render(request, "integrations/sso.html",
                  {"form": form, "providers": list(selectors.identity_providers()), "policy": policy}, status=status)


def _sso_provider_render(request: HttpRequest, *, form: IdentityProviderForm, protocol: str,
                         provider: IdentityProvider | None, status: int) -> HttpResponse:
    urls = sso_services.sp_urls(provider=provider, base_url=_base_url(request)) if provider else None
    return render(request, "integrations/sso_provider.html",
                  {"form": form, "provider": provider, "protocol": protocol, "urls": urls,
                   "protocol_label": IdentityProvider.Protocol(protocol).label}, status=status)


@administrator_required
def sso_provider_new_page(request: HttpRequest, protocol: str) -> HttpResponse:
    if protocol not in IdentityProvider.Protocol.values:
        raise Http404
    form = IdentityProviderForm(request.POST or None, protocol=protocol)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                provider = sso_services.identity_provider_create(protocol=protocol, actor=request.user,
                                                                 **_provider_data(form))
            except ApplicationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Identity provider added. Register our URLs below with it."))
                return redirect("integrations-sso-provider", provider_id=provider.pk)
    return _sso_provider_render(request, form=form, protocol=protocol, provider=None, status=status)


@administrator_required
def sso_provider_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = _provider(provider_id)
    initial: dict[str, Any] = {f: getattr(provider, f) for f in (
        "name", "is_active", "discovery_url", "client_id", "scopes", "metadata_url", "metadata_xml", "provisioning",
        "default_role", "email_attribute", "name_attribute", "role_attribute")}
    initial["role_mapping"] = role_mapping_text(provider.role_mapping)
    form = IdentityProviderForm(request.POST or None, initial=initial, protocol=provider.protocol,
                                secret_masked=provider.client_secret_masked)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                sso_services.identity_provider_update(provider=provider, actor=request.user, **_provider_data(form))
            except ApplicationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Identity provider saved."))
                return redirect("integrations-sso-provider", provider_id=provider.pk)
    return _sso_provider_render(request, form=form, protocol=provider.protocol, provider=provider, status=status)


@administrator_required
@require_POST
def sso_provider_delete_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = _provider(provider_id)
    sso_services.identity_provider_delete(provider=provider, actor=request.user)
    messages.success(request, _("Identity provider “%(name)s” deleted.") % {"name": provider.name})
    return redirect("integrations-sso")


def _sso_error(request: HttpRequest, error: ApplicationError, provider: IdentityProvider | None) -> HttpResponse:
    return render(request, "integrations/sso_error.html",
                  {"message": error.message, "reason": error.details.get("reason", error.code),
                   "provider": provider}, status=error.status_code)


def _signed_in(request: HttpRequest, user: Any, next_url: str) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(next_url or "/")


def _tenant_only(request: HttpRequest) -> None:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == "public":
        raise Http404


@require_GET
def sso_login(request: HttpRequest, provider_id: int) -> HttpResponse:
    """`/sso/<id>/login/`: off to the identity provider ("Sign in with <name>")."""
    _tenant_only(request)
    provider = _provider(provider_id)
    try:
        location, key = sso_services.sso_begin(provider=provider, base_url=_base_url(request),
                                               next_url=request.GET.get("next", ""))
    except ApplicationError as error:
        return _sso_error(request, error, provider)
    if provider.protocol == IdentityProvider.Protocol.OIDC:
        request.session[SSO_SESSION_KEY] = key
    return HttpResponseRedirect(location)


@require_GET
def sso_oidc_callback(request: HttpRequest, provider_id: int) -> HttpResponse:
    _tenant_only(request)
    provider = _provider(provider_id)
    try:
        user, next_url = sso_services.sso_oidc_complete(
            provider=provider, base_url=_base_url(request), state=request.GET.get("state", ""),
            code=request.GET.get("code", ""), error=request.GET.get("error", ""),
            session_state=request.session.pop(SSO_SESSION_KEY, ""))
    except ApplicationError as error:
        return _sso_error(request, error, provider)
    return _signed_in(request, user, next_url)


@csrf_exempt  # posted by the IdP's page; the signed assertion and its one-time InResponseTo are the proof
@require_POST
def sso_saml_acs(request: HttpRequest, provider_id: int) -> HttpResponse:
    _tenant_only(request)
    provider = _provider(provider_id)
    try:
        user, next_url = sso_services.sso_saml_complete(provider=provider, base_url=_base_url(request),
                                                        saml_response=request.POST.get("SAMLResponse", ""))
    except ApplicationError as error:
        return _sso_error(request, error, provider)
    return _signed_in(request, user, next_url)


@require_GET
def sso_saml_metadata(request: HttpRequest, provider_id: int) -> HttpResponse:
    """`/sso/<id>/saml/metadata/`: our SP metadata, to give to the IdP (downloadable; also our entity id)."""
    _tenant_only(request)
    provider = _provider(provider_id)
    if provider.protocol != IdentityProvider.Protocol.SAML:
        raise Http404
    xml = sso_services.sso_sp_metadata(provider=provider, base_url=_base_url(request))
    response = HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")
    if "download" in request.GET:
        response["Content-Disposition"] = f'attachment; filename="sp-metadata-{provider.pk}.xml"'
    return response
