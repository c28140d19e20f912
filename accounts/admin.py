"""Users and the outbox in Django admin.

A Dinas PPKUKM admin helps users; it does not take their place. It never sets or learns
another user's password (a one-time link goes to the user's own email, recorded in the audit
log), never changes an email (a link to a new address would hand the account over), and
never gives anyone, itself included, admin rights, groups or permissions: those fields are
read-only to all but superusers. The outbox holds bid receipts and the addresses of bidders:
superusers only, and never a message about a sealed bid."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import OutgoingMail, User, normalize_email
from p3dn_portal.lib.forms import error_text

# Only a superuser changes who is an admin and what anyone may do; nobody but a superuser
# changes an address a reset link would go to.
SUPERUSER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions", "email")
ADMIN_IS_MEMBER = _(
    "Pengguna ini anggota penyedia atau pejabat OPD. Admin Dinas PPKUKM memakai akun "
    "tersendiri yang tidak menjadi anggota penyedia atau pejabat mana pun."
)
RESET_LINK_SENT = _(
    "Tautan pembuatan kata sandi dikirim ke {email}. Pengguna membuat kata sandinya sendiri; "
    "pengiriman ini tercatat di log audit."
)
NEW_USER_LINK_SENT = _(
    "Akun {email} dibuat tanpa kata sandi. Tautan pembuatan kata sandi dikirim ke email itu; "
    "pengiriman ini tercatat di log audit."
)
EMAIL_TAKEN = _("Email ini sudah dipakai akun lain.")
PASSWORD_HELP = _(
    "Kata sandi tidak disimpan dalam bentuk yang dapat dibaca, dan admin tidak mengisinya. "
    "Bila pengguna lupa kata sandinya, kirim tautan pembuatan kata sandi ke emailnya: "
    '<a href="{url}">kirim tautan</a>.'
)


def _is_member_or_officer(user: User) -> bool:
    return hasattr(user, "vendor_membership") or hasattr(user, "officer")


class UserCreationForm(forms.ModelForm):
    """A new account by its email and name only: the user makes the password from the link
    mailed to that email."""

    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise ValidationError(EMAIL_TAKEN, code="email_taken")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password is not None and self.instance.pk is not None:
            url = reverse("admin:auth_user_password_change", args=[self.instance.pk])
            password.help_text = format_html(str(PASSWORD_HELP), url=url)

    def clean(self) -> dict:
        cleaned = super().clean()
        becomes_admin = cleaned.get("is_staff") or cleaned.get("is_superuser")
        if becomes_admin and _is_member_or_officer(self.instance):
            raise ValidationError(ADMIN_IS_MEMBER, code="admin_is_member")
        return cleaned


class GroupNameFilter(admin.RelatedFieldListFilter):
    """The groups by name in the reader's language: the portal's own group is named by a
    catalogue string (accounts.services.ADMIN_GROUP_NAME), a group made by hand as it is."""

    def field_choices(self, field, request, model_admin):
        choices = super().field_choices(field, request, model_admin)
        return [(pk, gettext(name)) for pk, name in choices]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("full_name", "email")
    list_display = ("email", "full_name", "role_label", "is_active", "is_staff", "last_login")
    list_filter = ("is_staff", "is_active", ("groups", GroupNameFilter), "language")
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
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name")}),)
    reset_link_template = "admin/accounts/user/reset_link.html"

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields += SUPERUSER_FIELDS
        return fields

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Another admin's account is a superuser's to change: an admin could otherwise
        # switch off a colleague, or a superuser, and act alone.
        if (
            obj is not None
            and not request.user.is_superuser
            and (obj.is_staff or obj.is_superuser)
            and obj.pk != request.user.pk
        ):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change:
            services.password_reset_link_send(user=obj, by=request.user)
            self.message_user(request, NEW_USER_LINK_SENT.format(email=obj.email))

    @admin.display(description=_("peran"))
    def role_label(self, user: User) -> str:
        return user.role.label if user.role else "—"

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""):
        """In place of Django's "set the password" form: send the user a one-time link to
        make their own (the admin's own password changes under "Ubah kata sandi")."""
        user = self.get_object(request, id)
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if request.method == "POST":
            try:
                with transaction.atomic():
                    services.password_reset_link_send(user=user, by=request.user)
            except ValidationError as error:
                self.message_user(request, error_text(error), messages.ERROR)
            else:
                self.message_user(request, RESET_LINK_SENT.format(email=user.email))
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Kirim tautan pembuatan kata sandi"),
            "opts": self.opts,
            "original": user,
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.reset_link_template, context)


# The messages the outbox admin leaves out, each a condition given by the app that knows
# why: procurement hides those about a sealed bid (procurement/admin.py), as the audit log
# hides its entries (audit.admin.hide_entries). Accounts imports no domain app.
_hidden_mail: list[Callable[[], Exists | Q]] = []


def hide_mail(condition: Callable[[], Exists | Q]) -> None:
    """Leave out of the outbox admin the messages `condition()` matches."""
    _hidden_mail.append(condition)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The outbox, to read: what was sent when, what waits, and why a message failed.
    Superusers only (bid receipts and bidders' addresses are in it), and without the
    messages about a sealed bid."""

    list_display = ("subject", "created_at", "sent_at", "attempts", "next_attempt_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("subject", "to")
    date_hierarchy = "created_at"
    exclude = ("bid",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutgoingMail]:
        queryset = super().get_queryset(request)
        for condition in _hidden_mail:
            queryset = queryset.exclude(condition())
        return queryset

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


# django-otp's device admin words its search help at import time, from the user model's
# field names in the language active then ("Search by user's alamat email"): worded here,
# in the reader's language.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class PortalTOTPDeviceAdmin(TOTPDeviceAdmin):
    search_help_text = _("Cari menurut email pengguna.")
