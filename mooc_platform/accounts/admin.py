from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """The platform's accounts (operators). Created with `createsuperuser`; here only their name,
    language and whether they may still sign in change. Never deleted: audit events name them."""

    list_display = ["email", "full_name", "role", "is_active", "date_joined", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "role", "language", "is_active", "date_joined", "last_login"]
    readonly_fields = ["email", "role", "date_joined", "last_login"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
