from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin import hide_mail
from audit.admin import hide_entries
from audit.models import ObjectType
from p3dn_portal.lib.admin_readonly import ReadOnlyAdminMixin, ReadOnlyInline
from p3dn_portal.lib.admin_search import IndexedSearch
from p3dn_portal.lib.admin_widgets import SafeAutocompleteMixin
from procurement.models import OPD, Bid, Objection, Officer, Package, PackageEvent, PackageItem
from procurement.rules import sealed_bids

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


class OfficerInline(SafeAutocompleteMixin, admin.TabularInline):
    model = Officer
    form = OfficerForm
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(OPD)
class OPDAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "code", "payment_target_days")
    search_fields = ("name", "short_name", "code")
    inlines = (OfficerInline,)


@admin.register(Officer)
class OfficerAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    form = OfficerForm
    list_display = ("user", "opd", "position")
    list_filter = ("position", "opd")
    search_fields = ("user__full_name", "user__email", "opd__name")
    list_select_related = ("user", "opd")
    autocomplete_fields = ("user", "opd")


class PackageItemInline(ReadOnlyInline):
    model = PackageItem
    readonly_fields = ("position", "description", "kbli", "quantity", "unit", "hps_unit_price")


class PackageEventInline(ReadOnlyInline):
    model = PackageEvent
    readonly_fields = ("at", "action", "from_status", "to_status", "by", "reason")


@admin.register(Package)
class PackageAdmin(ReadOnlyAdminMixin, IndexedSearch, admin.ModelAdmin):
    """For reading and watching: officers move packages through their lifecycle in the
    portal, where every step is checked and recorded."""

    list_display = ("rup_code", "title", "opd", "category", "method", "hps", "status", "closes_at")
    list_filter = (
        "status",
        "category",
        "method",
        "fiscal_year",
        "opd",
        "reserved_for_small_business",
    )
    search_fields = ("rup_code", "title", "opd__name")
    identifier_lookups = ((r"\d+", ("rup_code__startswith",)),)
    text_fields = ("title",)
    related_text_fields = ("opd__name",)
    ordering = ("-pk",)  # the newest first, through the primary key
    list_per_page = 50  # rendering a row costs more than reading it
    list_select_related = ("opd",)
    date_hierarchy = "closes_at"
    inlines = (PackageItemInline, PackageEventInline)


@admin.register(Bid)
class BidAdmin(ReadOnlyAdminMixin, IndexedSearch, admin.ModelAdmin):
    """Opened bids only: a sealed bid (procurement.rules.bid_is_sealed) is not listed, not
    even to admins, and neither is one that was never opened."""

    list_display = ("package", "vendor", "version", "status", "price", "tkdn_pct", "submitted_at")
    list_filter = ("status",)
    search_fields = ("package__rup_code", "vendor__name")
    identifier_lookups = ((r"\d+", ("package__rup_code__startswith",)),)
    related_text_fields = ("vendor__name",)
    ordering = ("-pk",)  # the newest first, through the primary key
    list_per_page = 50  # rendering a row costs more than reading it
    list_select_related = ("package", "vendor")
    exclude = ("sealed_content",)

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(sealed_bids())


def _mail_about_a_sealed_bid() -> Exists:
    """The outbox's messages about a sealed bid (its receipt, a notice to its bidder): who
    they go to tells who bid, so the outbox admin hides them as the bid admin hides the bid."""
    return Exists(Bid.objects.filter(sealed_bids(), pk=OuterRef("bid_id")))


hide_mail(_mail_about_a_sealed_bid)


def sealed_bid_entries() -> Q:
    """The audit log's rows about sealed bids: a sealed bid, and that it exists, is its
    bidder's alone until it is opened, and for ever when it never is (as in the list above)."""
    sealed = Bid.objects.filter(sealed_bids(), pk=OuterRef("object_id"))
    return Q(object_type=ObjectType.BID) & Exists(sealed)


hide_entries(sealed_bid_entries)


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ("package", "bid", "filed_at", "answered_at")
    list_select_related = ("package", "bid__vendor")
    exclude = ("attachment",)
    readonly_fields = (
        "package",
        "bid",
        "text",
        "attachment_link",
        "filed_by",
        "filed_at",
        "answer",
        "answered_by",
        "answered_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("lampiran"))
    def attachment_link(self, objection: Objection) -> str:
        # Through the view that checks who asks: the private storage has no URL.
        if not objection.attachment:
            return "—"
        url = reverse("procurement:objection-attachment", args=[objection.pk])
        return format_html('<a href="{}">{}</a>', url, _("Unduh lampiran"))
