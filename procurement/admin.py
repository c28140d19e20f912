from django.contrib import admin

from procurement.models import OPD, Officer


class OfficerInline(admin.TabularInline):
    model = Officer
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(OPD)
class OPDAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "code")
    search_fields = ("name", "short_name", "code")
    inlines = (OfficerInline,)


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("user", "opd", "position")
    list_filter = ("position", "opd")
    search_fields = ("user__full_name", "user__email", "opd__name")
    list_select_related = ("user", "opd")
    autocomplete_fields = ("user", "opd")
