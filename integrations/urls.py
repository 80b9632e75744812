"""URLs of the integrations app on the tenant host(s): webhooks and API keys, pages and API."""

from django.urls import path

from .apis import cartridges as cartridge_apis
from .apis import webhooks as apis
from .apis import xapi as xapi_apis
from .views import cartridges as cartridge_views
from .views import webhooks as views
from .views import xapi as xapi_views

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
    path("manage/sso/", views.sso_page, name="integrations-sso"),
    path("manage/sso/new/<str:protocol>/", views.sso_provider_new_page, name="integrations-sso-new"),
    path("manage/sso/<id:provider_id>/", views.sso_provider_page, name="integrations-sso-provider"),
    path("manage/sso/<id:provider_id>/delete/", views.sso_provider_delete_page, name="integrations-sso-delete"),
    path("sso/<id:provider_id>/login/", views.sso_login, name="sso-login"),
    path("sso/<id:provider_id>/oidc/callback/", views.sso_oidc_callback, name="sso-oidc-callback"),
    path("sso/<id:provider_id>/saml/acs/", views.sso_saml_acs, name="sso-saml-acs"),
    path("sso/<id:provider_id>/saml/metadata/", views.sso_saml_metadata, name="sso-saml-metadata"),
    path("api/v1/sso/providers/", apis.IdentityProviderListApi.as_view(), name="api-sso-providers"),
    path("api/v1/sso/providers/<id:provider_id>/", apis.IdentityProviderDetailApi.as_view(), name="api-sso-provider"),
    path("api/v1/sso/policy/", apis.SsoPolicyApi.as_view(), name="api-sso-policy"),
    path("teach/courses/<id:course_id>/cartridge/", cartridge_views.cartridges_page, name="integrations-cartridges"),
    path("teach/courses/<id:course_id>/cartridge/<id:export_id>/download/", cartridge_views.cartridge_download_page,
         name="integrations-cartridge-download"),
    path("api/v1/courses/<id:course_id>/cartridge-exports/", cartridge_apis.CartridgeExportListApi.as_view(),
         name="api-cartridge-exports"),
    path("api/v1/courses/<id:course_id>/cartridge-exports/<id:export_id>/",
         cartridge_apis.CartridgeExportDetailApi.as_view(), name="api-cartridge-export"),
    path("api/v1/courses/<id:course_id>/cartridge-exports/<id:export_id>/download/",
         cartridge_apis.CartridgeExportDownloadApi.as_view(), name="api-cartridge-export-download"),
    path("manage/xapi/", xapi_views.xapi_page, name="integrations-xapi"),
    path("manage/xapi/retry/", xapi_views.xapi_retry_page, name="integrations-xapi-retry"),
    path("manage/xapi/delete/", xapi_views.xapi_delete_page, name="integrations-xapi-delete"),
    path("api/v1/xapi/lrs/", xapi_apis.LrsConfigApi.as_view(), name="api-xapi-lrs"),
    path("api/v1/xapi/statements/", xapi_apis.XapiStatementListApi.as_view(), name="api-xapi-statements"),
    path("api/v1/xapi/statements/retry/", xapi_apis.XapiStatementRetryApi.as_view(), name="api-xapi-statements-retry"),
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
