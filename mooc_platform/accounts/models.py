"""The custom user. Its table exists in `public` (operators) and in every tenant schema (the
organisation's users): an e-mail registered in two organisations is two unrelated accounts."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
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
    is_staff = models.BooleanField(default=False, help_text="Can open the operator console (public only).")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

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
