"""URLs every host serves: health, login, token, OpenAPI schema and docs."""

from csp.decorators import csp_update
from django.contrib.auth.views import LogoutView
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import apis, health, views


class HostSchemaView(SpectacularAPIView):
    """The OpenAPI schema of the host asked: the platform's API on the platform host, the tenant API
    on a tenant host (django-tenants sets `request.urlconf`)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # The strings of the project's scripts in the page's language (each app's djangojs catalogue), served as a
    # script file: `gettext` and `interpolate` without inline script (issue 13 item 5).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("login/", views.EmailLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("api/schema/", HostSchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP (issue 11 item 8).
    # Swagger UI's bundle injects its own <style> elements: this page, which shows no user content, allows
    # inline styles (never inline scripts).
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/v1/auth/token/", apis.TokenObtainApi.as_view(), name="api-token"),
    path("api/v1/me/tokens/", apis.MyTokenListApi.as_view(), name="api-my-tokens"),
    path("api/v1/me/tokens/<int:pk>/", apis.MyTokenDetailApi.as_view(), name="api-my-token"),
    path("api/v1/me/sign-out-everywhere/", apis.MySignOutEverywhereApi.as_view(), name="api-sign-out-everywhere"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
]
