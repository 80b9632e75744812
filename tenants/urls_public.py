"""URLs of the tenants app on the platform host (operators)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("api/v1/tenants/", apis.TenantListApi.as_view(), name="api-tenants"),
    path("api/v1/tenants/<int:pk>/", apis.TenantDetailApi.as_view(), name="api-tenant"),
    path("api/v1/tenants/<int:pk>/suspend/", apis.TenantSuspendApi.as_view(), name="api-tenant-suspend"),
    path("api/v1/tenants/<int:pk>/reinstate/", apis.TenantReinstateApi.as_view(), name="api-tenant-reinstate"),
    # `…/terminate/` closes the subscription too: invoicing.apis.TenantTerminateApi (invoicing → tenants, SPEC §2).
    path("api/v1/tenants/<int:pk>/lift-termination/", apis.TenantTerminationLiftApi.as_view(),
         name="api-tenant-termination-lift"),
    path("api/v1/tenants/<int:pk>/destruction-record/", apis.DestructionRecordApi.as_view(),
         name="api-tenant-destruction-record"),
    path("api/v1/tenants/<int:pk>/support/<str:resource>/", apis.SupportContentApi.as_view(),
         name="api-tenant-support-content"),
    path("api/v1/audit-events/", apis.PlatformAuditEventListApi.as_view(), name="api-audit-events"),
    path("api/v1/custom-domains/", apis.PlatformCustomDomainListApi.as_view(), name="api-platform-custom-domains"),
    path("api/v1/custom-domains/<int:pk>/approve/", apis.PlatformCustomDomainApproveApi.as_view(),
         name="api-custom-domain-approve"),
]
