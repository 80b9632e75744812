"""Users of the organisation (SPEC R2, R3): invitation, one-time password link, seats, deactivation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_tenant_model

from courses.errors import Code
from mooc_platform.accounts.models import User
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ForbiddenError
from tenants.services.audit import audit_record

from ..errors import InvitationInvalidError, LastAdministratorError, SeatLimitReachedError, UserExistsError
from ..models import UserInvitation
from .branding import branding_display_name, tenant_default_language, tenant_limits

TENANT_ROLES = (User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR, User.Role.LEARNER)


STAFF_ROLES = (User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR)


INVITATION_VALIDITY = timedelta(days=14)


def is_staff_member(user: User) -> bool:
    return user.role in STAFF_ROLES


def seats_used() -> int:
    return User.objects.filter(is_active=True).exclude(role=User.Role.OPERATOR).count()


def _seat_check(*, extra: int = 1) -> None:
    limits = tenant_limits(for_update=True)
    used = seats_used()
    if used + extra > limits.seat_limit:
        raise SeatLimitReachedError(
            f"The subscription allows {limits.seat_limit} active users and {used} are active: "
            "deactivate a user or raise the seat limit first.",
            details={"seat_limit": limits.seat_limit, "active_users": used},
        )


def _role_check(role: str) -> str:
    if role not in TENANT_ROLES:
        raise ApplicationError(f"Unknown role {role!r}: use administrator, instructor or learner.",
                               code=Code.UNKNOWN_ROLE)
    return role


def last_administrator_message(*, email: str) -> str:
    return _("%(email)s is the organisation's last active administrator: appoint another administrator "
             "first.") % {"email": email}


def administrator_kept_check(*, leaving: User) -> None:
    """Refuse a change that takes `leaving` out of the organisation's active administrators (a role
    change, a deactivation, a deletion) when no other active administrator stays (issue 9 item 9).
    Locks the active administrators' rows until the end of the transaction, so two administrators
    removing each other at the same time cannot both pass."""
    active = set(User.objects.select_for_update().filter(role=User.Role.ADMINISTRATOR, is_active=True)
                 .values_list("pk", flat=True))
    if leaving.pk in active and not active - {leaving.pk}:
        raise LastAdministratorError(last_administrator_message(email=leaving.email),
                                     details={"user": leaving.pk})


@transaction.atomic
def user_role_change(*, user: User, role: str, actor: User | None) -> User:
    """Give `user` another role of the organisation, audited (`user.role_changed`); the last active
    administrator keeps theirs (issue 9 item 9)."""
    _role_check(role)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == role:
        return user
    if user.role == User.Role.ADMINISTRATOR:
        administrator_kept_check(leaving=user)
    before = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit_record(action="user.role_changed", actor=actor,
                 tenant=get_tenant_model().objects.get(schema_name=connection.schema_name), target=user,
                 before={"email": user.email, "role": before}, after={"email": user.email, "role": role})
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_send(*, user: User, base_url: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    UserInvitation.objects.create(user=user, token_hash=_token_hash(token), created_at=now,
                                  expires_at=now + INVITATION_VALIDITY)
    link = f"{base_url.rstrip('/')}/accounts/invitation/{token}/"
    organisation = branding_display_name()
    transaction.on_commit(lambda: email_send(
        to=[user.email], template="courses/emails/invitation",
        context={"user": user, "link": link, "organisation": organisation}, language=user.language))
    return token


@transaction.atomic
def user_invite(*, email: str, role: str, base_url: str, full_name: str = "", language: str = "",
                invited_by: User | None = None, now: datetime | None = None) -> tuple[User, str]:
    """Register a user and e-mail a one-time link to choose a password (SPEC R2).
    Returns the user and the raw token (only its hash is stored)."""
    now = now or timezone.now()
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ApplicationError("This e-mail address is not valid.", code=Code.INVALID_EMAIL) from exc
    _role_check(role)
    if User.objects.filter(email=email).exists():
        raise UserExistsError("A user with this e-mail already exists in this organisation.")
    _seat_check()
    user = User.objects.create_user(email, None, role=role, full_name=full_name.strip(),
                                    language=language or tenant_default_language())
    return user, _invitation_send(user=user, base_url=base_url, now=now)


def user_invitation_get(*, token: str, now: datetime | None = None) -> UserInvitation:
    now = now or timezone.now()
    invitation = (UserInvitation.objects.select_related("user")
                  .filter(token_hash=_token_hash(token), accepted_at__isnull=True, expires_at__gt=now).first())
    if invitation is None or not invitation.user.is_active:
        raise InvitationInvalidError("This invitation link is not valid any more: ask your administrator "
                                     "for a new one or reset your password.")
    return invitation


@transaction.atomic
def user_invitation_accept(*, token: str, password: str, now: datetime | None = None) -> User:
    """One-time: the link sets the password once, then stops working. Trivial passwords are
    refused by the validators of settings.AUTH_PASSWORD_VALIDATORS (SPEC R3)."""
    now = now or timezone.now()
    invitation = user_invitation_get(token=token, now=now)
    user = invitation.user
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("This password is too weak.", code=Code.WEAK_PASSWORD,
                               details={"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    UserInvitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=now)
    return user


@transaction.atomic
def user_invitation_resend(*, user: User, base_url: str, now: datetime | None = None) -> str:
    """A new one-time link for a user who has not chosen a password yet; older links stop working."""
    now = now or timezone.now()
    if user.has_usable_password() or not user.is_active:
        raise InvitationInvalidError("This user already has a password or is inactive: use password reset.")
    UserInvitation.objects.filter(user=user, accepted_at__isnull=True).update(expires_at=now)
    return _invitation_send(user=user, base_url=base_url, now=now)


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    if user.pk == actor.pk:
        raise ForbiddenError("You cannot deactivate your own account.")
    administrator_kept_check(leaving=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User) -> User:
    if user.is_active:
        return user
    _seat_check()
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
