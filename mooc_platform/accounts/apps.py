from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mooc_platform.accounts"
    label = "accounts"
    verbose_name = "Accounts"
