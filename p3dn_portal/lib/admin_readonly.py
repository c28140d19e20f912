"""Django admin pages for reading only: what the portal's own pages change, step by checked
step, the admin shows and never edits."""

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Nothing added, changed or deleted through this ModelAdmin or inline; view only."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent, no empty form, nothing to add or delete."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
