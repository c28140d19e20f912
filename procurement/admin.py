from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from procurement.models import OPD, Officer

OFFICER_IS_VENDOR = _(
    "Pengguna ini anggota penyedia {vendor}. Seorang penyedia tidak boleh sekaligus menjadi "
    "pejabat pengadaan (benturan kepentingan): pakai akun lain untuk pejabat ini."
)
OFFICER_IS_ADMIN = _(
    "Pengguna ini admin Dinas PPKUKM. Buat akun terpisah untuk tugasnya sebagai pejabat OPD."
)


class OfficerForm(forms.ModelForm):
    class Meta:
        model = Officer
        fields = ["user", "opd", "position"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        member = getattr(user, "vendor_membership", None)
        if member is not None:
            raise forms.ValidationError(OFFICER_IS_VENDOR.format(vendor=member.vendor.name))
        if user.is_staff:
            raise forms.ValidationError(OFFICER_IS_ADMIN)
        return user


class OfficerInline(admin.TabularInline):
    model = Officer
    form = OfficerForm
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(OPD)
class OPDAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "code")
    search_fields = ("name", "short_name", "code")
    inlines = (OfficerInline,)


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    form = OfficerForm
    list_display = ("user", "opd", "position")
    list_filter = ("position", "opd")
    search_fields = ("user__full_name", "user__email", "opd__name")
    list_select_related = ("user", "opd")
    autocomplete_fields = ("user", "opd")
