"""URLs of the claims app on the tenant host(s): the administrators' claims."""

from django.urls import path

from . import apis, views

urlpatterns = [
    path("claims/", views.claims_page, name="claims"),
    path("claims/new/", views.claim_new_page, name="claim-new"),
    path("claims/<int:claim_id>/", views.claim_page, name="claim"),
    path("api/v1/claims/", apis.ClaimListApi.as_view(), name="api-claims"),
    path("api/v1/claims/<int:claim_id>/", apis.ClaimDetailApi.as_view(), name="api-claim"),
    path("api/v1/claims/<int:claim_id>/messages/", apis.ClaimFollowUpApi.as_view(), name="api-claim-messages"),
]
