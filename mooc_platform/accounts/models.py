"""The custom user. Its table exists in `public` (operators) and in every tenant schema (the
organisation's users): an e-mail registered in two organisations is two unrelated accounts."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from mooc_platform.i18n import LANGUAGES


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        """Sign-in by e-mail ignores case, on the form as on the API (issue 11 item 2): e-mails are stored
        lower-cased; an older row differing only by case is still found when it is the only one."""
        email = (username or "").strip()
        try:
            return self.get(email=email.lower())
        except self.model.DoesNotExist:
            matches = list(self.filter(email__iexact=email)[:2])
            if len(matches) != 1:  # none, or ambiguous: no sign-in by guess
                raise
            return matches[0]

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=User.Role.OPERATOR)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        OPERATOR = "operator", _("Platform operator")
        ADMINISTRATOR = "administrator", _("Administrator")
        INSTRUCTOR = "instructor", _("Instructor")
        LEARNER = "learner", _("Learner")

    # "Course staff": who authors courses, sees every course and moderates (SPEC §1). The one definition;
    # guards and checks use `is_course_staff` (mooc_platform.accounts.permissions).
    COURSE_STAFF_ROLES = (Role.ADMINISTRATOR, Role.INSTRUCTOR)

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEARNER)
    language = models.CharField(max_length=8, default="en", choices=LANGUAGES)
    is_active = models.BooleanField(default=True)
    # When an administrator deactivated the account: anonymised PRIVACY_DEACTIVATED_USER_DAYS later (SPEC R29).
    deactivated_at = models.DateTimeField(null=True, blank=True)
    is_staff = models.BooleanField(default=False, help_text=_("Can open the operator console (public only)."))
    date_joined = models.DateTimeField(default=timezone.now)
    # Moved by "sign out everywhere" (issue 11 item 3): part of the session hash, so every session ends.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password that every session carries, plus the session epoch: a password
        change or reset, or "sign out everywhere", ends every session of the user (issue 11 item 3).
        Epoch 0 keeps Django's own value, so sessions opened before the epoch existed stay valid."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "mooc_platform.accounts.models.User.session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}|{self.session_epoch}", secret=secret,
                           algorithm="sha256").hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new password (change, reset, invitation) revokes every API token of the user (issue 11
        item 3); its sessions end by themselves, their hash being the password's."""
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            AccessToken.objects.filter(user=self).delete()

    @property
    def public_name(self) -> str:
        """How other people see this user (forums, certificates): the name, never the e-mail
        (issue 11 item 6). A user without a name yet is "Member <id>" until first sign-in asks it."""
        from django.utils.translation import gettext

        return self.full_name.strip() or gettext("Member %(id)s") % {"id": self.pk}

    @property
    def is_operator(self) -> bool:
        return self.role == self.Role.OPERATOR

    @property
    def is_tenant_admin(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR

    @property
    def is_course_staff(self) -> bool:
        return self.role in self.COURSE_STAFF_ROLES

class AccessToken(models.Model):
    """An API token (`Authorization: Token <key>`, SPEC §4), valid on the host that issued it (it lives in
    that schema), until `expires_at` (API_TOKEN_TTL_DAYS) or its revocation (issue 11 item 3). Only the
    SHA-256 of the key is stored: a database dump gives no usable token."""

    key_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("The key's first characters, to tell tokens apart."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
