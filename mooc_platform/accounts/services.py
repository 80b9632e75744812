"""Writes on accounts: the one invitation flow (SPEC R2, R3; issue 10 item 2, issue 9 item 8).

Every invitation (the first administrator of a new tenant, a user invited by an administrator or by
CSV import) is `user_invitation_send`; a new link for someone who never chose a password is
`user_invitation_resend` (the organisation's administrator, an operator from the console), or
`invitation_request` when the person asks for it on the login page. The link is
`mooc_platform.accounts.invitations.invitation_link`, the page `/invitation/<token>/`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from mooc_platform.audit import audit_record
from mooc_platform.emails import email_send

from .errors import InvitationInvalidError
from .invitations import INVITATION_TIMEOUT_DAYS, invitation_link
from .models import User

# "Send me a new link" sends at most one e-mail per address and organisation in this many seconds.
INVITATION_REQUEST_INTERVAL = 300


@dataclass(frozen=True)
class TenantRef:
    """What the invitation needs of a tenant, read by value (mooc_platform imports no app, SPEC §2)."""

    pk: int
    schema_name: str
    slug: str
    name: str
    language: str


def _tenant(tenant: Any = None) -> Any:
    """`tenant`, else the tenant of the connection's schema, read fresh through TENANT_ROW_READER."""
    if tenant is not None:
        return tenant
    row = import_string(settings.TENANT_ROW_READER)(
        schema_name=connection.schema_name, fields=("id", "schema_name", "slug", "name", "language"))
    return TenantRef(pk=row["id"], schema_name=row["schema_name"], slug=row["slug"], name=row["name"],
                     language=row["language"])


def user_invitation_send(*, user: User, tenant: Any = None) -> str:
    """E-mail `user` (a user of `tenant`'s schema; default: the current tenant) a one-time link to
    choose a password, in the user's language. The e-mail leaves when the outermost transaction
    commits. Returns the link."""
    tenant = _tenant(tenant)
    link = invitation_link(tenant=tenant, user=user)
    context = {"tenant": tenant, "link": link, "email": user.email, "days": INVITATION_TIMEOUT_DAYS}
    language = user.language or tenant.language
    transaction.on_commit(lambda: email_send(to=[context["email"]], template="accounts/emails/invitation",
                                             context=context, language=language))
    return link


def user_invitation_resend(*, user: User, actor: Any, tenant: Any = None) -> str:
    """A new invitation for `user`, who never chose a password (the invitation expired or was lost):
    the first administrator can never be locked out (issue 9 item 8). The links sent before stop
    working. `actor` is whoever asks: the organisation's administrator, a platform operator (from
    the console: pass the `tenant`, the call enters its schema) or None for the person themself on
    the login page. Audited as `user.invitation_resent`. Returns the link.

    Raises InvitationInvalidError when the user is inactive or already has a password (then
    password reset is the way)."""
    tenant = _tenant(tenant)
    with transaction.atomic(), schema_context(tenant.schema_name):
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.has_usable_password() or not user.is_active:
            raise InvitationInvalidError(
                _("%(email)s already chose a password or is deactivated: use “Forgot your password?” "
                  "on the login page.") % {"email": user.email}, details={"user": user.pk})
        user.set_unusable_password()  # a new random hash: the earlier tokens no longer match
        user.save(update_fields=["password"])
        link = user_invitation_send(user=user, tenant=tenant)
    audit_record(action="user.invitation_resent", actor=actor, tenant=tenant, target=user,
                 after={"email": user.email, "asked_by": getattr(actor, "email", "") or "the user (login page)"})
    return link


def tenant_user_invitation_resend(*, tenant: Any, email: str, actor: Any) -> str:
    """The operator's console: a new invitation for the user of `tenant` registered with `email`
    (raises User.DoesNotExist, or InvitationInvalidError as `user_invitation_resend`)."""
    with schema_context(tenant.schema_name):
        user = User.objects.get(email=email.strip().lower())
    return user_invitation_resend(user=user, actor=actor, tenant=tenant)


def invitation_request(*, email: str) -> None:
    """"Send me a new link" on the login page of the current tenant. The caller answers the same
    whatever happens here, so the page does not tell whether an account exists: an active user of
    this organisation with this e-mail who never chose a password gets a new invitation, at most one
    per INVITATION_REQUEST_INTERVAL; anyone else gets nothing."""
    email = (email or "").strip().lower()
    user = User.objects.filter(email=email, is_active=True).first() if email else None
    if user is None or user.has_usable_password():
        return
    if not cache.add(f"invitation-request:{connection.schema_name}:{email}", 1, INVITATION_REQUEST_INTERVAL):
        return
    user_invitation_resend(user=user, actor=None)
