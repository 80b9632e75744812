from django.apps import AppConfig


class MoocPlatformConfig(AppConfig):
    name = "mooc_platform"
    verbose_name = "MOOC platform"
