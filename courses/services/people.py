"""Users of the organisation (SPEC R2, R3): invitation (the one flow of mooc_platform.accounts), seats,
roles, deactivation, the last administrator."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform.accounts.models import User
from mooc_platform.accounts.selectors import administrators_active
from mooc_platform.accounts.services import user_invitation_send
from mooc_platform.accounts.tokens import user_sign_out_everywhere
from mooc_platform.audit import audit_record
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ConflictError, ForbiddenError
from mooc_platform.events import event_emit, user_event_data

from ..errors import LastAdministratorError, SeatLimitReachedError, UserExistsError
from ..selectors.people import seats_reserved, seats_taken, seats_used  # noqa: F401 (the seat rule, re-exported)
from .branding import tenant_default_language, tenant_limits

TENANT_ROLES = (User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR, User.Role.LEARNER)


def _seat_check(*, extra: int = 1) -> None:
    limits = tenant_limits(for_update=True)
    used = seats_taken()
    if used + extra > limits.seat_limit:
        raise SeatLimitReachedError(
            _("The subscription allows %(limit)d active users, pending invitations included, and %(used)d seats "
              "are taken: cancel an invitation, deactivate a user or raise the seat limit first.")
            % {"limit": limits.seat_limit, "used": used},
            details={"seat_limit": limits.seat_limit, "active_users": used},
        )


def _role_check(role: str) -> str:
    if role not in TENANT_ROLES:
        raise ApplicationError(_("Unknown role %(role)s: use administrator, instructor or learner.")
                               % {"role": repr(role)},
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
    active = set(administrators_active().select_for_update().values_list("pk", flat=True))
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
                 schema_name=connection.schema_name, target=user,
                 before={"email": user.email, "role": before}, after={"email": user.email, "role": role})
    return user


@transaction.atomic
def user_invite(*, email: str, role: str, full_name: str = "", language: str = "",
                invited_by: User | None = None) -> tuple[User, str]:
    """Register a user and e-mail a one-time link to choose a password (SPEC R2), the one
    invitation of mooc_platform.accounts. Returns the user and the link."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ApplicationError(_("This e-mail address is not valid."), code=Code.INVALID_EMAIL) from exc
    _role_check(role)
    if User.objects.filter(email=email).exists():
        raise UserExistsError(_("A user with this e-mail already exists in this organisation."))
    _seat_check()
    user = User.objects.create_user(email, None, role=role, full_name=full_name.strip(),
                                    language=language or tenant_default_language())
    event_emit(event_type="user.created", data={"user": user_event_data(user)})
    return user, user_invitation_send(user=user)


@transaction.atomic
def user_invitation_cancel(*, user: User, actor: User) -> None:
    """Withdraw the invitation of a user who has not accepted it yet: the account goes and its seat is freed
    (issue 13); audited `user.invitation_cancelled`. An accepted invitation cannot be cancelled (deactivate)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_usable_password() or not user.is_active:
        raise ConflictError(_("%(email)s has already accepted the invitation: deactivate the account instead.")
                            % {"email": user.email}, code=Code.INVITATION_ACCEPTED)
    audit_record(action="user.invitation_cancelled", actor=actor, schema_name=connection.schema_name,
                 target=user, after={"email": user.email})
    user.delete()


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    if user.pk == actor.pk:
        raise ForbiddenError(_("You cannot deactivate your own account."))
    administrator_kept_check(leaving=user)
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    user_sign_out_everywhere(user=user)
    _deactivation_tell(user=user)
    event_emit(event_type="user.deactivated", data={"user": user_event_data(user)})
    return user


def _deactivation_tell(*, user: User) -> None:
    """SPEC R29: the user is told of the deactivation, of the anonymisation to come, and given the "this wasn't
    me" link of security e-mails (it ends every session and token), in their language, after the commit."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from mooc_platform.accounts.not_me import not_me_path

    from .branding import branding_display_name

    host = import_string(settings.TENANT_HOST_READER)(schema_name=connection.schema_name)
    port = f":{settings.PLATFORM_URL_PORT}" if settings.PLATFORM_URL_PORT and ":" not in host else ""
    context = {"organisation": branding_display_name(), "email": user.email,
               "days": settings.PRIVACY_DEACTIVATED_USER_DAYS,
               "not_me_url": f"{settings.PLATFORM_URL_SCHEME}://{host}{port}{not_me_path(user=user)}"}
    recipients, language = [user.email], user.language or tenant_default_language()
    transaction.on_commit(lambda: email_send(to=recipients, template="courses/emails/account_deactivated",
                                             context=context, language=language))


@transaction.atomic
def user_reactivate(*, user: User, actor: User) -> User:
    if user.is_active:
        return user
    _seat_check()
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    return user
