from django.apps import AppConfig


class MoocPlatformConfig(AppConfig):
    name = "mooc_platform"
    verbose_name = "MOOC platform"

    def ready(self) -> None:
        from .input_guards import dates_bound

        dates_bound()  # no date past DATE_MAX_YEAR reaches a service (issue 11 item 4)
