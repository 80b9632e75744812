"""URLs of the LTI tool on the tenant host(s): the tool's endpoints and the administrators' pages."""

from django.urls import path

from . import views

urlpatterns = [
    path(".well-known/jwks.json", views.jwks, name="lti-jwks"),
    path("lti/jwks/", views.jwks, name="lti-jwks-alias"),
    path("lti/login/", views.login_initiation, name="lti-login"),
    path("lti/launch/", views.launch, name="lti-launch"),
    path("lti/continue/<str:token>/", views.launch_continue, name="lti-continue"),
    path("lti/deep-link/", views.deep_link_respond, name="lti-deep-link"),
    path("manage/lti/", views.platforms_page, name="lti-platforms"),
    path("manage/lti/<id:platform_id>/", views.platform_page, name="lti-platform"),
    path("manage/lti/<id:platform_id>/delete/", views.platform_delete_page, name="lti-platform-delete"),
    path("manage/lti/<id:platform_id>/links/<id:link_id>/roster/", views.roster_page, name="lti-roster"),
]
