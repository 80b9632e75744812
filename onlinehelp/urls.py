from django.urls import path

from . import views

urlpatterns = [
    path("help/", views.help_page, name="help"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
]
