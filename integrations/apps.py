from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = _("Integrations")  # also the menu entry of base.html

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the API-key security scheme with drf-spectacular
