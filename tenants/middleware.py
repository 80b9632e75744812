"""What each tenant state means to people (SPEC R11, R14).

After `AuthenticationMiddleware`: on the host of a tenant that is suspended, cancelled past its
paid-through date or in retention,

- pages redirect to `/account-status/`, an information screen (anonymous users go to the login
  page first); administrators still reach billing (`/billing/`), the timeline and the export page;
- the API answers `403 {"error": {"code": Code.TENANT_SUSPENDED | "tenant_access_ended", …}}`, except
  the administrators' billing, export, timeline and audit endpoints.

Always open: `/healthz`, `/login/`, `/logout/`, `/static/`, invitation acceptance, password reset,
public certificate verification (page and API), the token endpoint and the API schema/docs: a
suspension blocks the organisation's use of the platform, not a person's account nor a third party
checking a certificate already issued (issue 11 item 7). A purged tenant has no domain left, so its
host does not route at all.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mooc_platform.errors import error_body
from mooc_platform.formatting import localized
from tenants.errors import Code

from .models import Tenant

OPEN_PREFIXES = ("/healthz", "/login/", "/logout/", "/static/", "/invitation/", "/account-status/", "/sso/",
                 "/accounts/invitation/", "/accounts/password-reset/", "/accounts/reset/",
                 # certificates already issued stay verifiable (SPEC R21), by people and by programs
                 "/certificates/verify/", "/api/v1/certificates/verify/",
                 "/api/v1/auth/token/", "/api/schema/", "/api/docs/")
ADMIN_PREFIXES = ("/billing/", "/api/v1/billing/", "/exports/", "/api/v1/exports/", "/timeline/",
                  "/api/v1/tenant/", "/api/v1/audit-events/", "/api/v1/support-access-grants/", "/api/v1/me/")
STATUS_PAGE = "/account-status/"


def tenant_restriction(tenant: Tenant) -> tuple[str, str] | None:
    """(code, message) when the tenant's users are locked out, None when access is normal. The
    message is in the active language."""
    if tenant.state == Tenant.State.SUSPENDED or (tenant.state == Tenant.State.CANCELLED and tenant.suspended_at):
        # A suspended tenant that cancels stays locked out until it pays (GCS art. 4).
        return (Code.TENANT_SUSPENDED,
                _("Access to this organisation is suspended until the sums due are paid. "
                  "Its administrators can still reach billing."))
    if tenant.state == Tenant.State.CANCELLED and tenant.access_ends_at and tenant.access_ends_at <= timezone.now():
        return Code.TENANT_ACCESS_ENDED, _("This organisation's subscription has ended.")
    if tenant.state == Tenant.State.RETENTION:
        if tenant.retention_ends_at:
            until = localized(tenant.retention_ends_at, "date")
            return (Code.TENANT_ACCESS_ENDED,
                    _("This organisation's subscription has ended; its data is kept until %(date)s and can be "
                      "exported by its administrators.") % {"date": until})
        return (Code.TENANT_ACCESS_ENDED,
                _("This organisation's subscription has ended; its data is kept and can be exported by its "
                  "administrators."))
    if tenant.state == Tenant.State.PURGED:
        return "tenant_purged", _("This organisation's data has been destroyed.")
    return None


class TenantStateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_platform:
            return self.get_response(request)
        restriction = tenant_restriction(tenant)
        request.tenant_restriction = restriction  # type: ignore[attr-defined]
        path = request.path
        if restriction is None or path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        user = getattr(request, "user", None)
        is_admin = bool(user and user.is_authenticated and getattr(user, "is_tenant_admin", False))
        if is_admin and path.startswith(ADMIN_PREFIXES):
            return self.get_response(request)
        code, message = restriction
        if path.startswith("/api/"):
            if not (user and user.is_authenticated) and request.headers.get("Authorization"):
                # Token requests authenticate in DRF, after this middleware: let DRF resolve the user.
                return self._api_with_token(request, code, message)
            return JsonResponse(error_body(code, message, {"state": tenant.state}), status=403)
        if not (user and user.is_authenticated):
            return HttpResponseRedirect(f"/login/?next={quote(path)}")
        return HttpResponseRedirect(STATUS_PAGE)

    def _api_with_token(self, request: HttpRequest, code: str, message: str) -> HttpResponse:
        from rest_framework.exceptions import AuthenticationFailed
        from rest_framework.request import Request

        from mooc_platform.accounts.authentication import ExpiringTokenAuthentication

        try:
            result = ExpiringTokenAuthentication().authenticate(Request(request))
        except AuthenticationFailed:
            result = None
        user = result[0] if result else None
        if user is not None and user.is_tenant_admin and request.path.startswith(ADMIN_PREFIXES):
            return self.get_response(request)
        if user is not None and user.language:
            # The token's user is known only now: answer in its language, as a signed-in page would.
            with translation.override(user.language):
                code, message = tenant_restriction(request.tenant) or (code, message)
        return JsonResponse(error_body(code, message, {"state": request.tenant.state}), status=403)
