"""URLs of the claims app on the platform host: the operators' API (the console pages are in console/)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("api/v1/claims/", apis.OperatorClaimListApi.as_view(), name="api-operator-claims"),
    path("api/v1/claims/<int:claim_id>/", apis.OperatorClaimDetailApi.as_view(), name="api-operator-claim"),
    path("api/v1/claims/<int:claim_id>/reply/", apis.OperatorClaimReplyApi.as_view(), name="api-operator-claim-reply"),
    path("api/v1/claims/<int:claim_id>/status/", apis.OperatorClaimStatusApi.as_view(),
         name="api-operator-claim-status"),
]
