"""Webhooks and API keys in the API (SPEC §4 `/api/v1/webhooks/`; `/api/v1/api-keys/`), for the organisation's
administrators (or an API key with the `webhooks` scope for the webhooks). Errors leave as
{"error": {"code", "message", "details"}}."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import NotFoundError
from mooc_platform.http import configured_base_url
from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsTenantAdministrator

from .. import selectors
from ..events import EVENT_TYPES
from ..models import ApiKey, IdentityProvider, SsoPolicy, WebhookDelivery, WebhookEndpoint
from ..services import api_keys as key_services
from ..services import sso as sso_services
from ..services import webhooks as services

WEBHOOKS_TAG = ["webhooks"]
KEYS_TAG = ["api-keys"]


class WebhookEndpointOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES))
    secret = serializers.CharField(help_text="The HMAC-SHA256 key of the `Webhook-Signature` header.")
    is_active = serializers.BooleanField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()
    failing_since = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class WebhookAttemptOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    attempted_at = serializers.DateTimeField()
    response_status = serializers.IntegerField(allow_null=True, help_text="null: no answer (see `error`).")
    response_body = serializers.CharField(help_text="The first 500 characters of the answer.")
    error = serializers.CharField()
    duration_ms = serializers.IntegerField()
    manual = serializers.BooleanField(help_text="A replay asked by an administrator.")


class WebhookDeliveryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.UUIDField(source="event.event_id")
    event_type = serializers.CharField(source="event.type")
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    succeeded_at = serializers.DateTimeField(allow_null=True)
    attempts = WebhookAttemptOutputSerializer(many=True, source="attempts.all")


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = selectors.webhook_endpoint_get(endpoint_id=endpoint_id)
    if endpoint is None:
        raise NotFoundError("No such webhook endpoint.")
    return endpoint


class WebhookListApi(PaginatedListMixin, APIView):
    """`GET` the organisation's webhook endpoints; `POST` registers one (HTTPS), subscribed to `events`.
    See the API description for the signature and how to verify it."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=500, help_text="An https:// URL.")
        events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1,
                                       max_length=len(EVENT_TYPES))
        description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="webhooks_list", tags=WEBHOOKS_TAG,
                   responses=WebhookEndpointOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(queryset=selectors.webhook_endpoints(),
                                  serializer_class=WebhookEndpointOutputSerializer, request=request, view=self)

    @extend_schema(operation_id="webhooks_create", tags=WEBHOOKS_TAG, request=InputSerializer,
                   responses={201: WebhookEndpointOutputSerializer},
                   examples=[OpenApiExample("Enrolments and certificates", request_only=True, value={
                       "url": "https://lms.example.edu/hooks/mooc", "description": "Our LMS",
                       "events": ["enrollment.created", "certificate.issued"]})])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(actor=request.user, **data.validated_data)
        return Response(WebhookEndpointOutputSerializer(endpoint).data, status=201)


class WebhookDetailApi(APIView):
    """`GET`, `PATCH` (url, events, description, is_active: `true` enables a disabled endpoint again) or
    `DELETE` an endpoint (its deliveries with it)."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=500, required=False)
        events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1,
                                       max_length=len(EVENT_TYPES), required=False)
        description = serializers.CharField(max_length=200, required=False, allow_blank=True)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(operation_id="webhooks_retrieve", tags=WEBHOOKS_TAG, responses=WebhookEndpointOutputSerializer)
    def get(self, request: Request, endpoint_id: int) -> Response:
        return Response(WebhookEndpointOutputSerializer(_endpoint(endpoint_id)).data)

    @extend_schema(operation_id="webhooks_update", tags=WEBHOOKS_TAG, request=InputSerializer,
                   responses=WebhookEndpointOutputSerializer)
    def patch(self, request: Request, endpoint_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(endpoint=_endpoint(endpoint_id), actor=request.user,
                                                    **data.validated_data)
        return Response(WebhookEndpointOutputSerializer(endpoint).data)

    @extend_schema(operation_id="webhooks_delete", tags=WEBHOOKS_TAG, responses={204: None})
    def delete(self, request: Request, endpoint_id: int) -> Response:
        services.webhook_endpoint_delete(endpoint=_endpoint(endpoint_id), actor=request.user)
        return Response(status=204)


class WebhookPingApi(APIView):
    """`POST` sends a `webhook.ping` event to the endpoint now (a delivery like any other, in the log)."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(operation_id="webhooks_ping", tags=WEBHOOKS_TAG, request=None,
                   responses={202: WebhookDeliveryOutputSerializer})
    def post(self, request: Request, endpoint_id: int) -> Response:
        delivery = services.webhook_ping(endpoint=_endpoint(endpoint_id))
        return Response(WebhookDeliveryOutputSerializer(delivery).data, status=202)


class WebhookSecretRotateApi(APIView):
    """`POST` replaces the endpoint's secret at once (the old one stops signing: update the receiver)."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(operation_id="webhooks_secret_rotate", tags=WEBHOOKS_TAG, request=None,
                   responses=WebhookEndpointOutputSerializer)
    def post(self, request: Request, endpoint_id: int) -> Response:
        endpoint = services.webhook_secret_rotate(endpoint=_endpoint(endpoint_id), actor=request.user)
        return Response(WebhookEndpointOutputSerializer(endpoint).data)


class WebhookDeliveryListApi(PaginatedListMixin, APIView):
    """`GET` the endpoint's deliveries, newest first, each with every attempt (the delivery log)."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(operation_id="webhooks_deliveries_list", tags=WEBHOOKS_TAG,
                   responses=WebhookDeliveryOutputSerializer(many=True))
    def get(self, request: Request, endpoint_id: int) -> Response:
        return paginated_response(queryset=selectors.webhook_deliveries(endpoint=_endpoint(endpoint_id)),
                                  serializer_class=WebhookDeliveryOutputSerializer, request=request, view=self)


class WebhookDeliveryReplayApi(APIView):
    """`POST` sends an attempted delivery once more, now (same event id and payload, a fresh signature)."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(operation_id="webhooks_deliveries_replay", tags=WEBHOOKS_TAG, request=None,
                   responses={202: WebhookDeliveryOutputSerializer})
    def post(self, request: Request, endpoint_id: int, delivery_id: int) -> Response:
        delivery = selectors.webhook_delivery_get(endpoint=_endpoint(endpoint_id), delivery_id=delivery_id)
        if delivery is None:
            raise NotFoundError("No such delivery for this endpoint.")
        services.webhook_delivery_replay(delivery=delivery, actor=request.user)
        return Response(WebhookDeliveryOutputSerializer(delivery).data, status=202)


# --- API keys ------------------------------------------------------------------------------------------------


class ApiKeyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key starts with `mk_<prefix>_`.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=list(key_services.SCOPES)))
    expires_at = serializers.DateTimeField(allow_null=True)
    rate_limit_per_minute = serializers.IntegerField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    created_by_email = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ApiKeyCreatedOutputSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(help_text="The key itself, shown this once: send `Authorization: Api-Key <key>`.")


def _api_key(api_key_id: int) -> ApiKey:
    api_key = selectors.api_key_get(api_key_id=api_key_id)
    if api_key is None:
        raise NotFoundError("No such API key.")
    return api_key


class ApiKeyListApi(PaginatedListMixin, APIView):
    """`GET` the organisation's API keys (never the keys themselves); `POST` creates one and answers the key,
    once. Scopes: `read` (GET on every resource below), `users`, `enrollments`, `courses`, `certificates`,
    `webhooks`. Every answer to a key carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        scopes = serializers.ListField(child=serializers.ChoiceField(choices=list(key_services.SCOPES)),
                                       min_length=1, max_length=len(key_services.SCOPES))
        expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
        rate_limit_per_minute = serializers.IntegerField(required=False, default=120, min_value=1,
                                                         max_value=key_services.RATE_LIMIT_MAX)

    @extend_schema(operation_id="api_keys_list", tags=KEYS_TAG, responses=ApiKeyOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(queryset=selectors.api_keys(), serializer_class=ApiKeyOutputSerializer,
                                  request=request, view=self)

    @extend_schema(operation_id="api_keys_create", tags=KEYS_TAG, request=InputSerializer,
                   responses={201: ApiKeyCreatedOutputSerializer},
                   examples=[OpenApiExample("A read-only key for reporting", request_only=True, value={
                       "name": "Reporting", "scopes": ["read"], "expires_at": "2027-12-31T23:00:00Z"})])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_key, raw_key = key_services.api_key_create(actor=request.user, **data.validated_data)
        api_key.key = raw_key  # type: ignore[attr-defined]  # this answer only
        return Response(ApiKeyCreatedOutputSerializer(api_key).data, status=201)


class ApiKeyDetailApi(APIView):
    permission_classes = [IsTenantAdministrator]

    @extend_schema(operation_id="api_keys_retrieve", tags=KEYS_TAG, responses=ApiKeyOutputSerializer)
    def get(self, request: Request, api_key_id: int) -> Response:
        return Response(ApiKeyOutputSerializer(_api_key(api_key_id)).data)


class ApiKeyRevokeApi(APIView):
    """`POST` revokes the key at once (409 when it already is)."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(operation_id="api_keys_revoke", tags=KEYS_TAG, request=None, responses=ApiKeyOutputSerializer)
    def post(self, request: Request, api_key_id: int) -> Response:
        api_key = key_services.api_key_revoke(api_key=_api_key(api_key_id), actor=request.user)
        return Response(ApiKeyOutputSerializer(api_key).data)


# --- Single sign-on (issue 17 item 1) -------------------------------------------------------------------------

SSO_TAG = ["sso"]
ROLES = ["learner", "instructor", "administrator"]


class IdentityProviderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Shown on the sign-in page: “Sign in with <name>”.")
    protocol = serializers.ChoiceField(choices=IdentityProvider.Protocol.choices)
    is_active = serializers.BooleanField()
    provisioning = serializers.ChoiceField(
        choices=IdentityProvider.Provisioning.choices,
        help_text="`jit`: a person the IdP knows but the organisation does not is created on first sign-in, within "
                  "the seat limit; `existing`: only users already registered sign in.")
    default_role = serializers.ChoiceField(choices=ROLES)
    email_attribute = serializers.CharField(help_text="OIDC claim or SAML attribute carrying the e-mail address.")
    name_attribute = serializers.CharField()
    role_attribute = serializers.CharField(help_text="Claim or attribute read for the role mapping (empty: none).")
    role_mapping = serializers.DictField(child=serializers.ChoiceField(choices=ROLES),
                                         help_text="The IdP's value → the role here, applied at every sign-in.")
    discovery_url = serializers.CharField()
    client_id = serializers.CharField()
    client_secret = serializers.CharField(source="client_secret_masked",
                                          help_text="Masked: only the last four characters are ever shown.")
    scopes = serializers.CharField()
    metadata_url = serializers.CharField()
    idp_entity_id = serializers.CharField()
    service_provider = serializers.SerializerMethodField(
        help_text="What to register with the IdP: OIDC redirect URI; SAML entity id, ACS and metadata URLs.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_service_provider(self, provider: IdentityProvider) -> dict[str, str]:
        urls = sso_services.sp_urls(provider=provider, base_url=self.context["base_url"])
        if provider.protocol == IdentityProvider.Protocol.OIDC:
            return {"redirect_uri": urls["redirect_uri"]}
        return {"entity_id": urls["entity_id"], "acs_url": urls["acs_url"], "metadata_url": urls["entity_id"]}


class IdentityProviderInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    is_active = serializers.BooleanField(required=False)
    provisioning = serializers.ChoiceField(choices=IdentityProvider.Provisioning.choices, required=False)
    default_role = serializers.ChoiceField(choices=ROLES, required=False)
    email_attribute = serializers.CharField(max_length=200, required=False)
    name_attribute = serializers.CharField(max_length=200, required=False, allow_blank=True)
    role_attribute = serializers.CharField(max_length=200, required=False, allow_blank=True)
    role_mapping = serializers.DictField(child=serializers.ChoiceField(choices=ROLES), required=False)
    discovery_url = serializers.CharField(max_length=500, required=False, help_text="OIDC only.")
    client_id = serializers.CharField(max_length=255, required=False, help_text="OIDC only.")
    client_secret = serializers.CharField(max_length=500, required=False, write_only=True,
                                          help_text="OIDC only. Write-only; omit to keep the stored one.")
    scopes = serializers.CharField(max_length=300, required=False, help_text="OIDC only; `openid` is added.")
    metadata_url = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                         help_text="SAML only: fetched now, and kept as XML.")
    metadata_xml = serializers.CharField(max_length=1_000_000, required=False, allow_blank=True,
                                         help_text="SAML only: the IdP's metadata, when it has no URL.")


class IdentityProviderCreateInputSerializer(IdentityProviderInputSerializer):
    protocol = serializers.ChoiceField(choices=IdentityProvider.Protocol.choices)
    name = serializers.CharField(max_length=100)


def _identity_provider(provider_id: int) -> IdentityProvider:
    provider = selectors.identity_provider_get(provider_id=provider_id)
    if provider is None:
        raise NotFoundError("No such identity provider.")
    return provider


def _sso_context(request: Request) -> dict[str, str]:
    return {"base_url": configured_base_url(request)}


class IdentityProviderListApi(PaginatedListMixin, APIView):
    """`GET` the organisation's single sign-on identity providers; `POST` adds one (OpenID Connect by discovery
    URL, client id and secret; SAML 2.0 by IdP metadata URL or XML). The configuration is checked now: the
    discovery document or the metadata is fetched and read."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(operation_id="sso_providers_list", tags=SSO_TAG,
                   responses=IdentityProviderOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(queryset=selectors.identity_providers(),
                                  serializer_class=IdentityProviderOutputSerializer, request=request, view=self,
                                  context=_sso_context(request))

    @extend_schema(operation_id="sso_providers_create", tags=SSO_TAG, request=IdentityProviderCreateInputSerializer,
                   responses={201: IdentityProviderOutputSerializer},
                   examples=[OpenApiExample("OpenID Connect, users created on first sign-in", request_only=True,
                                            value={"protocol": "oidc", "name": "Acme Login",
                                                   "discovery_url": "https://login.acme.example/.well-known/"
                                                                    "openid-configuration",
                                                   "client_id": "mooc", "client_secret": "s3cr3t-from-the-idp",
                                                   "provisioning": "jit", "role_attribute": "groups",
                                                   "role_mapping": {"teachers": "instructor"}}),
                             OpenApiExample("SAML 2.0 by metadata URL", request_only=True,
                                            value={"protocol": "saml", "name": "University IdP",
                                                   "metadata_url": "https://idp.example.edu/metadata.xml",
                                                   "email_attribute": "mail", "provisioning": "existing"})])
    def post(self, request: Request) -> Response:
        data = IdentityProviderCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        provider = sso_services.identity_provider_create(actor=request.user, **data.validated_data)
        return Response(IdentityProviderOutputSerializer(provider, context=_sso_context(request)).data, status=201)


class IdentityProviderDetailApi(APIView):
    """`GET`, `PATCH` (any field of the creation but the protocol) or `DELETE` an identity provider."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(operation_id="sso_providers_retrieve", tags=SSO_TAG, responses=IdentityProviderOutputSerializer)
    def get(self, request: Request, provider_id: int) -> Response:
        return Response(IdentityProviderOutputSerializer(_identity_provider(provider_id),
                                                         context=_sso_context(request)).data)

    @extend_schema(operation_id="sso_providers_update", tags=SSO_TAG, request=IdentityProviderInputSerializer,
                   responses=IdentityProviderOutputSerializer)
    def patch(self, request: Request, provider_id: int) -> Response:
        provider = _identity_provider(provider_id)
        data = IdentityProviderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        provider = sso_services.identity_provider_update(provider=provider, actor=request.user,
                                                         **data.validated_data)
        return Response(IdentityProviderOutputSerializer(provider, context=_sso_context(request)).data)

    @extend_schema(operation_id="sso_providers_delete", tags=SSO_TAG, responses={204: None})
    def delete(self, request: Request, provider_id: int) -> Response:
        sso_services.identity_provider_delete(provider=_identity_provider(provider_id), actor=request.user)
        return Response(status=204)


class SsoPolicyApi(APIView):
    """The organisation's sign-in policy: `sso_and_password`, or `sso_only` (people sign in through an enabled
    identity provider; administrators keep their password, so a failing IdP never locks the organisation out)."""

    permission_classes = [IsTenantAdministrator]

    class PolicySerializer(serializers.Serializer):
        mode = serializers.ChoiceField(choices=SsoPolicy.Mode.choices)

    @extend_schema(operation_id="sso_policy_retrieve", tags=SSO_TAG, responses=PolicySerializer)
    def get(self, request: Request) -> Response:
        return Response(self.PolicySerializer(sso_services.sso_policy_get()).data)

    @extend_schema(operation_id="sso_policy_update", tags=SSO_TAG, request=PolicySerializer,
                   responses=PolicySerializer)
    def put(self, request: Request) -> Response:
        data = self.PolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = sso_services.sso_policy_set(mode=data.validated_data["mode"], actor=request.user)
        return Response(self.PolicySerializer(policy).data)
