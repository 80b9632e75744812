from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    default = True
    name = "console"
    verbose_name = _("Operator console")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .admin import admin_restrict

        admin_restrict()


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """Django admin, kept under the console for its lists, on a site that asks for the operator's second
    factor like every console page (console.sites.ConsoleAdminSite)."""

    default = False
    default_site = "console.sites.ConsoleAdminSite"
