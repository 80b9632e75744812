"""The platform host (PLATFORM_DOMAIN): operators' console and API, quote signing, status page."""

from django.contrib import admin
from django.urls import include, path

from . import observability, views
from .urls_common import urlpatterns as common

urlpatterns = [
    path("", views.platform_home, name="home"),
    path("metrics", observability.metrics_view, name="metrics"),  # Prometheus, when METRICS_ENABLED
    # The console's own pages first (dashboard at /console/), the Django admin's record lists after them.
    path("console/", include("console.urls")),
    path("console/", admin.site.urls),
    path("", include("tenants.urls_public")),
    path("", include("invoicing.urls_public")),
    path("", include("maintenance.urls_public")),
    path("", include("claims.urls_public")),
    path("", include("privacy.urls_public")),
    *common,
]

# Unknown /api/ paths answer the JSON error shape like every API error (issue 11 item 4).
handler400 = "mooc_platform.input_guards.api_bad_request"
handler403 = "mooc_platform.input_guards.api_permission_denied"
handler404 = "mooc_platform.input_guards.api_not_found"
handler500 = "mooc_platform.input_guards.api_server_error"
