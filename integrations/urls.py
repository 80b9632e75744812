"""URLs of the integrations app on the tenant host(s): webhooks and API keys, pages and API."""

from django.urls import path

from . import apis, views

urlpatterns = [
    path("integrations/webhooks/", views.webhooks_page, name="integrations-webhooks"),
    path("integrations/webhooks/<id:endpoint_id>/", views.webhook_page, name="integrations-webhook"),
    path("integrations/webhooks/<id:endpoint_id>/delete/", views.webhook_delete_page,
         name="integrations-webhook-delete"),
    path("integrations/webhooks/<id:endpoint_id>/ping/", views.webhook_ping_page, name="integrations-webhook-ping"),
    path("integrations/webhooks/<id:endpoint_id>/rotate-secret/", views.webhook_rotate_page,
         name="integrations-webhook-rotate"),
    path("integrations/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/replay/", views.webhook_replay_page,
         name="integrations-webhook-replay"),
    path("integrations/api-keys/", views.api_keys_page, name="integrations-api-keys"),
    path("integrations/api-keys/<id:api_key_id>/revoke/", views.api_key_revoke_page,
         name="integrations-api-key-revoke"),
    path("api/v1/webhooks/", apis.WebhookListApi.as_view(), name="api-webhooks"),
    path("api/v1/webhooks/<id:endpoint_id>/", apis.WebhookDetailApi.as_view(), name="api-webhook"),
    path("api/v1/webhooks/<id:endpoint_id>/ping/", apis.WebhookPingApi.as_view(), name="api-webhook-ping"),
    path("api/v1/webhooks/<id:endpoint_id>/rotate-secret/", apis.WebhookSecretRotateApi.as_view(),
         name="api-webhook-rotate-secret"),
    path("api/v1/webhooks/<id:endpoint_id>/deliveries/", apis.WebhookDeliveryListApi.as_view(),
         name="api-webhook-deliveries"),
    path("api/v1/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/replay/",
         apis.WebhookDeliveryReplayApi.as_view(), name="api-webhook-delivery-replay"),
    path("api/v1/api-keys/", apis.ApiKeyListApi.as_view(), name="api-api-keys"),
    path("api/v1/api-keys/<id:api_key_id>/", apis.ApiKeyDetailApi.as_view(), name="api-api-key"),
    path("api/v1/api-keys/<id:api_key_id>/revoke/", apis.ApiKeyRevokeApi.as_view(), name="api-api-key-revoke"),
]
