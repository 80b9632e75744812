from django.urls import path

from . import views

urlpatterns = [
    path("privacy/", views.privacy_page, name="privacy"),
    path("privacy/edit/", views.privacy_edit_page, name="privacy-edit"),
]
