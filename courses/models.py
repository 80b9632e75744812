"""Tenant-schema models: everything here lives in the organisation's own schema."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    class Licence(models.TextChoices):
        CC_BY = "cc-by", "CC BY"
        CC_BY_SA = "cc-by-sa", "CC BY-SA"
        CC_BY_NC = "cc-by-nc", "CC BY-NC"
        CC_BY_NC_SA = "cc-by-nc-sa", "CC BY-NC-SA"
        ALL_RIGHTS_RESERVED = "all-rights-reserved", _("All rights reserved")

    class Visibility(models.TextChoices):
        MOOC = "mooc", _("MOOC — open to every user of the organisation")
        SPOC = "spoc", _("SPOC — by invitation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="fr", choices=[("en", "English"), ("fr", "Français")])
    licence = models.CharField(max_length=30, choices=Licence.choices, default=Licence.ALL_RIGHTS_RESERVED)
    pass_mark = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Minimum average quiz score (%) for a certificate.",
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MOOC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(pass_mark__gte=0) & models.Q(pass_mark__lte=100),
                                   name="course_pass_mark_0_100"),
        ]

    def __str__(self) -> str:
        return self.title
