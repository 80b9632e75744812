"""The platform host (PLATFORM_DOMAIN): operators' console and API, quote signing, status page."""

from django.contrib import admin
from django.urls import include, path

from . import views
from .urls_common import urlpatterns as common

admin.site.site_header = "MOOC Platform — operator console"
admin.site.site_title = "Operator console"

urlpatterns = [
    path("", views.platform_home, name="home"),
    path("console/", admin.site.urls),
    path("", include("tenants.urls_public")),
    path("", include("invoicing.urls_public")),
    path("", include("maintenance.urls_public")),
    *common,
]
