"""A tenant's host (<slug>.PLATFORM_DOMAIN): the organisation's learning platform and its API."""

from django.urls import include, path

from . import apis
from .urls_common import urlpatterns as common

urlpatterns = [
    path("api/v1/me/", apis.MeApi.as_view(), name="api-me"),
    path("", include("mooc_platform.accounts.urls")),
    path("", include("courses.urls")),
    path("", include("tenants.urls_tenant")),
    path("", include("invoicing.urls_tenant")),
    path("", include("maintenance.urls_tenant")),
    path("", include("claims.urls_tenant")),
    path("", include("onlinehelp.urls")),
    path("", include("integrations.urls")),
    path("", include("lti.urls")),
    path("", include("privacy.urls_tenant")),
    *common,
]

# Unknown /api/ paths answer the JSON error shape like every API error (issue 11 item 4).
handler400 = "mooc_platform.input_guards.api_bad_request"
handler403 = "mooc_platform.input_guards.api_permission_denied"
handler404 = "mooc_platform.input_guards.api_not_found"
handler500 = "mooc_platform.input_guards.api_server_error"
