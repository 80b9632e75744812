"""URLs of the maintenance app on the public host(s)."""

from django.urls import path

from . import apis, views

urlpatterns = [
    path("status/", views.status_page, name="status"),
    path("status/maintenance.ics", views.status_calendar, name="status-calendar"),
    path("api/v1/maintenance-windows/", apis.MaintenanceWindowListApi.as_view(), name="api-maintenance-windows"),
    path("api/v1/maintenance-windows/<int:window_id>/", apis.MaintenanceWindowDetailApi.as_view(),
         name="api-maintenance-window"),
    path("api/v1/maintenance-windows/<int:window_id>/move/", apis.MaintenanceWindowMoveApi.as_view(),
         name="api-maintenance-window-move"),
    path("api/v1/maintenance-windows/<int:window_id>/cancel/", apis.MaintenanceWindowCancelApi.as_view(),
         name="api-maintenance-window-cancel"),
    path("api/v1/sla-reports/", apis.SlaReportApi.as_view(), name="api-sla-reports"),
]
