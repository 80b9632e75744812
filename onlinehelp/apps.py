from django.apps import AppConfig


class OnlineHelpConfig(AppConfig):
    name = "onlinehelp"
