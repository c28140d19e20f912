from django.contrib import admin

from vendors.models import Vendor, VendorMember


class VendorMemberInline(admin.TabularInline):
    model = VendorMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_form", "city", "province", "status", "created_at")
    list_filter = ("status", "legal_form", "province")
    search_fields = ("name", "city")
    date_hierarchy = "created_at"
    inlines = (VendorMemberInline,)
