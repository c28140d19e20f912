from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import OutgoingMail, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("full_name", "email")
    list_display = ("email", "full_name", "role_label", "is_active", "is_staff", "last_login")
    list_filter = ("is_staff", "is_active", "groups", "language")
    search_fields = ("email", "full_name", "phone")
    list_select_related = ("vendor_membership__vendor", "officer__opd")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Data diri"), {"fields": ("full_name", "phone", "language")}),
        (
            _("Izin"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Waktu"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("peran"))
    def role_label(self, user: User) -> str:
        return user.role.label if user.role else "—"


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The outbox, to read: what was sent when, what waits, and why a message failed."""

    list_display = ("subject", "created_at", "sent_at", "attempts", "next_attempt_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("subject", "to")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
