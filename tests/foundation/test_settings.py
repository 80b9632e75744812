from django.conf import settings


def test_the_suite_runs_on_the_test_settings() -> None:
    assert settings.SETTINGS_MODULE == "mooc_platform.settings.test"
    assert settings.DEBUG is False
