"""URLs of the tenants app on the tenant host(s)."""

from django.urls import path

from . import apis, views

urlpatterns = [
    path("account-status/", views.account_status, name="tenant-account-status"),
    path("timeline/", views.timeline, name="tenant-timeline"),
    path("exports/", views.exports_page, name="tenant-exports"),
    path("exports/status/", views.exports_status, name="tenant-exports-status"),
    path("manage/support-access/", views.support_access, name="tenant-support-access"),
    path("manage/support-access/<int:pk>/revoke/", views.support_access_revoke, name="tenant-support-access-revoke"),
    path("manage/domains/", views.custom_domains, name="tenant-domains"),
    path("manage/domains/<int:pk>/verify/", views.custom_domain_verify, name="tenant-domain-verify"),
    path("manage/audit-log/", views.audit_log, name="tenant-audit-log"),
    path("manage/audit-log.csv", views.audit_log_csv, name="tenant-audit-log-csv"),
    path("api/v1/tenant/", apis.TenantStatusApi.as_view(), name="api-tenant-status"),
    path("api/v1/exports/", apis.ExportListApi.as_view(), name="api-exports"),
    path("api/v1/support-access-grants/", apis.SupportGrantListApi.as_view(), name="api-support-grants"),
    path("api/v1/support-access-grants/<int:pk>/revoke/", apis.SupportGrantRevokeApi.as_view(),
         name="api-support-grant-revoke"),
    path("api/v1/audit-events/", apis.TenantAuditEventListApi.as_view(), name="api-tenant-audit-events"),
    path("api/v1/custom-domains/", apis.CustomDomainListApi.as_view(), name="api-custom-domains"),
    path("api/v1/custom-domains/<int:pk>/verify/", apis.CustomDomainVerifyApi.as_view(),
         name="api-custom-domain-verify"),
]
