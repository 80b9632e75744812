"""URLs of the maintenance app on the tenant host(s)."""

from django.urls import path

from . import apis, views

urlpatterns = [
    path("api/v1/maintenance-windows/", apis.TenantMaintenanceWindowListApi.as_view(),
         name="api-tenant-maintenance-windows"),
    path("maintenance/banner/dismiss/", views.banner_dismiss_view, name="maintenance-banner-dismiss"),
]
