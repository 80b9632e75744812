from django.urls import path

from . import views

urlpatterns = [
    path("legal/", views.legal_page, name="legal"),
    path("legal/sub-processors/", views.subprocessors_page, name="subprocessors"),
    path("privacy/", views.privacy_page, name="privacy"),
]
