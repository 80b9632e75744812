"""The administrators' integration pages (tenant host): webhook endpoints with their delivery log, API keys."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError

from . import selectors
from .events import EVENT_LABELS
from .forms import ApiKeyForm, WebhookEndpointForm
from .models import WebhookEndpoint
from .services import api_keys as key_services
from .services import webhooks as services

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
@require_POST
def webhook_rotate_page(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    services.webhook_secret_rotate(endpoint=_endpoint(endpoint_id), actor=request.user)
    messages.success(request, _("New secret: update your receiver, the old one no longer signs."))
    return redirect("integrations-webhook", endpoint_id=endpoint_id)


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
@require_POST
def api_key_revoke_page(request: HttpRequest, api_key_id: int) -> HttpResponse:
    api_key = selectors.api_key_get(api_key_id=api_key_id)
    if api_key is None:
        raise Http404
    try:
        key_services.api_key_revoke(api_key=api_key, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Key “%(name)s” revoked.") % {"name": api_key.name})
    return redirect("integrations-api-keys")
