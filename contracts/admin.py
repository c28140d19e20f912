"""Contracts in Django admin, for reading: what the portal's pages record step by checked
step (deliveries, the BAST, the rating, the flags), the admin lists and never edits. Lists
filter by status, OPD and kind, search by contract or BAST number and vendor, and each row
keeps its history."""

from django.contrib import admin

from contracts.models import (
    Contract,
    ContractFlag,
    ContractLine,
    Delivery,
    DeliveryLine,
    Handover,
    Invoice,
    Payment,
    Rating,
)
from p3dn_portal.lib.admin_readonly import ReadOnlyAdminMixin, ReadOnlyInline
from p3dn_portal.lib.admin_search import IndexedSearch
from vendors.admin import HistoryAdmin

CONTRACT_NUMBER = r"\S*/\S*"  # KTR/027/DISDIK/2026, BAST/DISDIK/2026/0001


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, IndexedSearch, HistoryAdmin):
    list_per_page = 50


class ContractLineInline(ReadOnlyInline):
    model = ContractLine
    fields = (
        "description",
        "product_name",
        "quantity",
        "unit",
        "unit_price",
        "offered_tkdn_pct",
        "offered_bmp_pct",
        "certificate_number",
    )
    readonly_fields = fields


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = ("number", "delivered_on", "recorded_by", "vendor_response", "vendor_note")
    readonly_fields = fields


class FlagInline(ReadOnlyInline):
    model = ContractFlag
    fields = ("kind", "shortfall_pct", "shortfall_value", "raised_at")
    readonly_fields = fields


@admin.register(Contract)
class ContractAdmin(ReadOnlyHistoryAdmin):
    list_display = ("number", "opd", "vendor", "signed_on", "value", "offered_tkdn_pct", "status")
    list_filter = ("status", ("opd", admin.RelatedOnlyFieldListFilter), "vendor_small_business")
    search_fields = ("number", "vendor__name", "package__rup_code")
    identifier_lookups = (
        (CONTRACT_NUMBER, ("number__startswith", "handover__number__startswith")),
        (r"\d+", ("package__rup_code__startswith",)),
    )
    text_fields = ("number",)
    related_text_fields = ("vendor__name",)
    list_select_related = ("opd", "vendor")
    ordering = ("-pk",)
    inlines = (ContractLineInline, DeliveryInline, FlagInline)


class DeliveryLineInline(ReadOnlyInline):
    model = DeliveryLine
    fields = (
        "contract_line",
        "product",
        "quantity_delivered",
        "quantity_accepted",
        "tkdn_certificate",
        "tkdn_pct",
        "bmp_pct",
        "substitution_reason",
    )
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyHistoryAdmin):
    list_display = ("contract", "number", "delivered_on", "recorded_by", "vendor_response")
    list_filter = ("vendor_response",)
    search_fields = ("contract__number", "contract__vendor__name")
    identifier_lookups = ((CONTRACT_NUMBER, ("contract__number__startswith",)),)
    related_text_fields = ("contract__vendor__name",)
    list_select_related = ("contract__vendor", "recorded_by")
    ordering = ("-pk",)
    inlines = (DeliveryLineInline,)


@admin.register(Handover)
class HandoverAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "number",
        "contract",
        "signed_on",
        "signed_by",
        "accepted_value",
        "achieved_tkdn_pct",
        "vendor_acknowledged_at",
    )
    list_filter = ("signed_on",)
    search_fields = ("number", "contract__number", "contract__vendor__name")
    identifier_lookups = (
        (CONTRACT_NUMBER, ("number__startswith", "contract__number__startswith")),
    )
    related_text_fields = ("contract__vendor__name",)
    list_select_related = ("contract__vendor", "signed_by")
    ordering = ("-pk",)


@admin.register(ContractFlag)
class ContractFlagAdmin(ReadOnlyAdminMixin, IndexedSearch, admin.ModelAdmin):
    list_display = ("contract", "kind", "shortfall_pct", "shortfall_value", "raised_at")
    list_filter = ("kind",)
    search_fields = ("contract__number", "contract__vendor__name")
    identifier_lookups = ((CONTRACT_NUMBER, ("contract__number__startswith",)),)
    related_text_fields = ("contract__vendor__name",)
    list_select_related = ("contract__vendor",)
    ordering = ("-pk",)


@admin.register(Rating)
class RatingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("contract", "quality", "cost", "time", "service", "rated_by", "rated_at")
    list_filter = ("quality", "cost", "time", "service")
    search_fields = ("contract__number", "contract__vendor__name")
    identifier_lookups = ((CONTRACT_NUMBER, ("contract__number__startswith",)),)
    related_text_fields = ("contract__vendor__name",)
    list_select_related = ("contract__vendor", "rated_by")
    ordering = ("-pk",)


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("paid_on", "amount", "tax_withheld", "recorded_by", "recorded_at")
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyHistoryAdmin):
    list_display = ("number", "contract", "issued_on", "amount", "recorded_by")
    list_filter = ("issued_on",)
    search_fields = ("number", "contract__number", "contract__vendor__name")
    identifier_lookups = (
        (CONTRACT_NUMBER, ("number__startswith", "contract__number__startswith")),
    )
    related_text_fields = ("contract__vendor__name",)
    list_select_related = ("contract__vendor", "recorded_by")
    ordering = ("-pk",)
    inlines = (PaymentInline,)
