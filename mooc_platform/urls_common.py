"""URLs every host serves: health, login, token, OpenAPI schema and docs."""

from django.contrib.auth.views import LogoutView
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import apis, health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("login/", views.EmailLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/auth/token/", apis.TokenObtainApi.as_view(), name="api-token"),
]
