"""Tenant-host URLs of accounts (included by mooc_platform.urls_tenant). `/invitation/` stays open
while a tenant is suspended (tenants.middleware.OPEN_PREFIXES)."""

from django.urls import path

from . import views

urlpatterns = [
    path("invitation/new/", views.invitation_new, name="invitation-new"),
    path("invitation/new/sent/", views.invitation_new_sent, name="invitation-new-sent"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation"),
    path("not-me/<str:token>/", views.not_me, name="not-me"),
]
