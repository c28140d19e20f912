"""Django admin for the vendor register: the daily tool of Dinas PPKUKM admins.

Admins verify; vendors upload. Every change of a verification status goes through
vendors.services (bulk actions "Verifikasi" and "Tolak dengan alasan", and the issue form
of an assisted halal registration); status fields are read-only in every form. Uploaded
files are private: they are served by a permission-checked admin view, never by a URL of
the storage."""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from audit import services as audit
from audit.models import AuditAction
from p3dn_portal.lib.admin_readonly import ReadOnlyAdminMixin, ReadOnlyInline
from p3dn_portal.lib.admin_refusals import RefusalMessageMixin, SaveRefused
from p3dn_portal.lib.admin_search import IndexedSearch
from p3dn_portal.lib.admin_widgets import SafeAutocompleteMixin
from p3dn_portal.lib.files import private_file_response
from p3dn_portal.lib.formatting import rupiah
from p3dn_portal.lib.forms import error_text
from vendors import services
from vendors.models import (
    AssistanceStatus,
    Blacklisting,
    CertificateStatus,
    HalalAssistance,
    HalalCertificate,
    Invitation,
    Product,
    TKDNCertificate,
    Vendor,
    VendorMember,
    VendorStatus,
)
from vendors.uploads import clean_document
from vendors.validators import (
    normalize_certificate_number,
    normalize_nib,
    normalize_npwp,
    validate_halal_certificate_number,
    validate_kbli,
    validate_nib,
    validate_npwp,
    validate_tkdn_certificate_number,
)

# Messages -----------------------------------------------------------------------------------

VERIFIED_COUNT = _("{count} data diverifikasi; penyedianya diberi tahu lewat email.")
REJECTED_COUNT = _("{count} data ditolak; penyedianya diberi tahu alasannya lewat email.")
SKIPPED = _("{count} data dilewati: {names}. {reason}")
NOTHING_PENDING = _(
    "Tidak ada data yang menunggu verifikasi di antara yang dipilih; tidak ada yang diubah."
)
REJECT_TITLE = _("Tolak dengan alasan")
REASON_HELP = _("Penyedia membaca alasan ini di email dan di portal untuk memperbaiki datanya.")
ADMIN_EDIT_REASON = "Diubah admin Dinas PPKUKM"
HISTORY_READ_ONLY = _(
    "Riwayat hanya untuk dibaca: status verifikasi diubah lewat aksi Verifikasi dan Tolak "
    "dengan alasan."
)

NPWP_MISMATCH_CONFIRMED = _(
    "Angka pemeriksa NPWP tidak cocok; penyedia sudah mengonfirmasi bahwa NPWP ini benar. "
    "Cocokkan dengan dokumen NPWP sebelum memverifikasi."
)
NPWP_MISMATCH_UNCONFIRMED = _("Angka pemeriksa NPWP tidak cocok dan belum dikonfirmasi penyedia.")
NPWP_MATCH = _("Angka pemeriksa NPWP cocok.")
SCALE_AMOUNT_REQUIRED = _(
    "Isi modal usaha atau hasil penjualan tahunan: skala usaha ditentukan dari salah satunya."
)

OPEN_FILE = _("Lihat berkas")

# The same for every vendor, whether it bid or not: a refusal that differed would tell.
VENDOR_NOT_DELETED = _(
    "Penyedia tidak dihapus dari portal: riwayatnya (sertifikat, penawaran, log audit) tetap "
    "tersimpan. Pakai aksi “Nonaktifkan” di daftar penyedia: penggunanya tidak dapat lagi "
    "bertindak atas nama usaha itu, dan usahanya keluar dari direktori dan pengadaan."
)
DEACTIVATED_COUNT = _("{count} penyedia dinonaktifkan.")
DEACTIVATION_REASON = "Dinonaktifkan admin Dinas PPKUKM"
MEMBER_IS_ADMIN = services.ADMIN_CANNOT_JOIN

ISSUE_FIELDS_REQUIRED = _(
    "Untuk mencatat sertifikat terbit, isi nomor sertifikat, tanggal terbit, dan berkasnya."
)
ISSUE_EXPIRY_BEFORE_ISSUE = services.EXPIRY_BEFORE_ISSUE
ISSUE_DATE_IN_FUTURE = _("Tanggal terbit tidak boleh di masa depan.")
ISSUE_WITH_REJECTED = _(
    "Pendampingan yang ditolak tidak dapat dicatat terbit. Kosongkan data sertifikat atau "
    "pilih status lain."
)
ISSUE_DONE = _("Sertifikat halal {number} tercatat terbit dan terverifikasi.")
FOREIGN_PRODUCTS = _("Pilih hanya produk milik penyedia yang didampingi.")

EXPIRY_DAYS_SOON = 30
EXPIRY_DAYS_LATER = 90

_NPWP_TYPED = re.compile(r"\d[\d.\-]*[.\-][\d.\-]*\d")
# What admins search by, besides names (p3dn_portal.lib.admin_search): digits are the start of
# a NIB or an NPWP; a word with a slash (TKDN, 123/SJ-IND.8/TKDN/5/2026) or "ID" and digits
# (halal) is the start of a certificate number.
DIGITS = r"\d+"
CERTIFICATE_NUMBER = r"\S*/\S*|(?i:ID)\d+"


# Shared building blocks ---------------------------------------------------------------------


class HistoryAdmin(SimpleHistoryAdmin):
    """History of who changed what, read-only: reverting a version would write its status
    back without the services."""

    def revert_disabled(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied(HISTORY_READ_ONLY)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        obj._change_reason = ADMIN_EDIT_REASON
        super().save_model(request, obj, form, change)


def _file_url(obj: TKDNCertificate | HalalCertificate) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_file", args=[obj.pk])


def _file_link(obj: TKDNCertificate | HalalCertificate) -> str:
    if obj.pk is None or not obj.file:
        return "—"
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a>', _file_url(obj), OPEN_FILE
    )


class PrivateFileAdminMixin:
    """A `<pk>/berkas/` view that streams the certificate file to users who may view the
    certificate: the storage has no public URL."""

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        return [
            path(
                "<path:object_id>/berkas/",
                self.admin_site.admin_view(self.file_view),
                name=f"{opts.app_label}_{opts.model_name}_file",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not obj.file:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        # An attachment typed by its bytes, like the vendor's own download (lib.files).
        return private_file_response(obj.file, name=f"sertifikat-{obj.number}")

    @admin.display(description=_("berkas"))
    def file_link(self, obj: TKDNCertificate | HalalCertificate) -> str:
        return _file_link(obj)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penolakan"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=REASON_HELP,
        error_messages={"required": services.REASON_REQUIRED},
    )

    def __init__(
        self,
        *args: object,
        help_text: str | None = None,
        required: str | None = None,
        **kwargs: object,
    ) -> None:
        """Other apps' reject actions say who reads the reason (`help_text`) and what to
        write (`required`)."""
        super().__init__(*args, **kwargs)
        if help_text is not None:
            self.fields["reason"].help_text = help_text
        if required is not None:
            self.fields["reason"].error_messages["required"] = required


def reject_reason_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    form: RejectForm,
    objects: list,
    pending: list,
    title: str,
) -> TemplateResponse:
    """The intermediate page of a "reject with a reason" action (the model admin's
    `reject_template`): the selection, what is skipped, and the reason to write."""
    opts = model_admin.opts
    changelist_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    if request.GET:
        changelist_url = f"{changelist_url}?{request.GET.urlencode()}"
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "form": form,
        "objects": objects,
        "pending": pending,
        "skipped": [obj for obj in objects if obj not in pending],
        "action_name": "reject_with_reason",
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "changelist_url": changelist_url,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, model_admin.reject_template, context)


def apply_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[models.Model],
    call: Callable[[models.Model], object],
    done_message: Callable[[int], str],
) -> int:
    """Apply `call` to each selected object (each in its own transaction: one refusal does
    not undo the others), then say how many were done and which were skipped, and why."""
    done, skipped = 0, defaultdict(list)
    for obj in objects:
        try:
            with transaction.atomic():
                call(obj)
        except ValidationError as error:
            skipped[error_text(error)].append(str(obj))
        else:
            done += 1
    if done:
        model_admin.message_user(request, done_message(done), messages.SUCCESS)
    for reason, names in skipped.items():
        model_admin.message_user(
            request,
            SKIPPED.format(count=len(names), names=", ".join(names), reason=reason),
            messages.WARNING,
        )
    return done


class VerificationActionsMixin:
    """Bulk "Verifikasi" and "Tolak dengan alasan" through the services, one object at a
    time (each in its own transaction), reporting what was done and what was skipped."""

    actions = ("verify_selected", "reject_with_reason")
    pending_status = "pending"
    reject_template = "admin/vendors/reject_with_reason.html"

    # Certificates by default; VendorAdmin verifies vendors.
    def verify_one(self, obj: models.Model, *, by) -> None:
        services.certificate_verify(certificate=obj, by=by)

    def reject_one(self, obj: models.Model, *, by, reason: str) -> None:
        services.certificate_reject(certificate=obj, by=by, reason=reason)

    def _apply(
        self, request: HttpRequest, objects: Iterable[models.Model], call: Callable, done_message
    ) -> None:
        apply_each(self, request, objects, call, lambda count: done_message.format(count=count))

    @admin.action(description=_("Verifikasi"), permissions=["change"])
    def verify_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(
            request, queryset, lambda obj: self.verify_one(obj, by=request.user), VERIFIED_COUNT
        )

    @admin.action(description=_("Tolak dengan alasan"), permissions=["change"])
    def reject_with_reason(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        objects = list(queryset)
        pending = [obj for obj in objects if obj.status == self.pending_status]
        if not pending:
            self.message_user(request, NOTHING_PENDING, messages.WARNING)
            return None
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(
                request,
                objects,
                lambda obj: self.reject_one(obj, by=request.user, reason=reason),
                REJECTED_COUNT,
            )
            return None
        return reject_reason_page(
            self, request, form=form, objects=objects, pending=pending, title=REJECT_TITLE
        )


class ExpiryWindowFilter(admin.SimpleListFilter):
    """Expired, or ending within 30 or 90 days, or later, counted from today in Jakarta."""

    title = _("masa berlaku")
    parameter_name = "masa_berlaku"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        choices = [
            ("lewat", _("sudah berakhir")),
            ("30", _("berakhir dalam 30 hari")),
            ("90", _("berakhir dalam 90 hari")),
            ("nanti", _("berakhir lebih dari 90 hari lagi")),
        ]
        if model_admin.model._meta.get_field("expires_on").null:
            choices.append(("tanpa", _("tanpa tanggal berakhir")))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        match self.value():
            case "lewat":
                return queryset.filter(expires_on__lt=today)
            case "30":
                return queryset.filter(
                    expires_on__range=(today, today + timedelta(days=EXPIRY_DAYS_SOON))
                )
            case "90":
                return queryset.filter(
                    expires_on__range=(today, today + timedelta(days=EXPIRY_DAYS_LATER))
                )
            case "nanti":
                return queryset.filter(expires_on__gt=today + timedelta(days=EXPIRY_DAYS_LATER))
            case "tanpa":
                return queryset.filter(expires_on__isnull=True)
        return queryset


class CertificateAdminForm(forms.ModelForm):
    """Products limited to the certificate's vendor; the number normalised and checked
    against its format, as when the vendor uploads it."""

    number_validator: Callable[[str], None]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "products" in self.fields:
            self.fields["products"].queryset = Product.objects.filter(
                vendor_id=self.instance.vendor_id
            )

    def clean_number(self) -> str:
        number = normalize_certificate_number(self.cleaned_data["number"])
        self.number_validator(number)
        return number


class CertificateAdmin(
    IndexedSearch, PrivateFileAdminMixin, VerificationActionsMixin, HistoryAdmin
):
    """Shared by TKDN and halal certificates. Admins verify, vendors upload: no add form, and
    the file is shown as a link to the file view."""

    list_select_related = ("vendor",)
    ordering = ("-pk",)  # the newest first, through the primary key
    list_per_page = 50  # rendering a row costs more than reading it
    search_fields = ("number", "vendor__name", "vendor__nib")
    identifier_lookups = (
        (DIGITS, ("vendor__nib__startswith",)),
        (CERTIFICATE_NUMBER, ("number__startswith",)),
    )
    related_text_fields = ("vendor__name",)
    search_help_text = _("Cari nomor sertifikat, nama penyedia, atau NIB.")
    filter_horizontal = ("products",)
    pending_status = CertificateStatus.PENDING
    verification_fields = ("status", "rejection_reason", "verified_at", "verified_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            # Inside the admin's transaction: the edit and its audit row commit together.
            audit.record(
                actor=request.user,
                action=AuditAction.CERTIFICATE_EDITED,
                obj=obj,
                label=f"{obj.number} — {obj.vendor.name}",
                changes={
                    field: [form.initial.get(field), form.cleaned_data.get(field)]
                    for field in form.changed_data
                },
            )


# Vendors ------------------------------------------------------------------------------------


# The distinct cities of a quarter of a million vendors, read as a walk from one city to the
# next down the index vendor_city (a few dozen index probes instead of every row).
_CITIES_SQL = """
WITH RECURSIVE cities(city) AS (
    SELECT MIN(city) FROM vendors_vendor
    UNION ALL
    SELECT (SELECT MIN(city) FROM vendors_vendor WHERE city > cities.city)
    FROM cities WHERE cities.city IS NOT NULL
)
SELECT city FROM cities WHERE city IS NOT NULL
"""


def _cities() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(_CITIES_SQL)
        return [city for (city,) in cursor.fetchall()]


class CityFilter(admin.SimpleListFilter):
    title = _("kota/kabupaten")
    parameter_name = "kota"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [(city, city) for city in _cities()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(city=self.value())
        return queryset


class TKDNExpiringFilter(admin.SimpleListFilter):
    """Vendors with a verified TKDN certificate that stops counting soon."""

    title = _("sertifikat TKDN terverifikasi berakhir")
    parameter_name = "tkdn_berakhir"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [
            (str(EXPIRY_DAYS_SOON), _("dalam 30 hari")),
            (str(EXPIRY_DAYS_LATER), _("dalam 90 hari")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in {str(EXPIRY_DAYS_SOON), str(EXPIRY_DAYS_LATER)}:
            return queryset
        today = timezone.localdate()
        expiring = TKDNCertificate.objects.filter(
            vendor=OuterRef("pk"),
            status=CertificateStatus.VERIFIED,
            expires_on__range=(today, today + timedelta(days=int(self.value()))),
        )
        return queryset.filter(Exists(expiring))


class VendorAdminForm(forms.ModelForm):
    class Meta:
        model = Vendor
        # Identity and company data only: the verification fields change through services.
        fields = Vendor.COMPANY_FIELDS

    def clean_nib(self) -> str | None:
        nib = normalize_nib(self.cleaned_data.get("nib") or "")
        if not nib:
            return None
        validate_nib(nib)
        return nib

    def clean_npwp(self) -> str | None:
        npwp = normalize_npwp(self.cleaned_data.get("npwp") or "")
        if not npwp:
            return None
        validate_npwp(npwp)
        return npwp

    def clean_kbli_codes(self) -> list[str]:
        codes = self.cleaned_data.get("kbli_codes") or []
        for code in codes:
            validate_kbli(code)
        return sorted(set(codes))

    def clean(self) -> dict:
        cleaned = super().clean()
        amounts = ("capital", "annual_sales")
        if all(name in self.fields for name in amounts) and all(
            cleaned.get(name) is None for name in amounts
        ):
            self.add_error("capital", SCALE_AMOUNT_REQUIRED)
        return cleaned


class VendorMemberForm(forms.ModelForm):
    """Owners invite their colleagues from the portal; a superuser may still add a member
    here, never an admin account (it would read the company's sealed bids)."""

    class Meta:
        model = VendorMember
        fields = ("user", "vendor", "role")

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user.is_staff or user.is_superuser:
            raise forms.ValidationError(MEMBER_IS_ADMIN, code="admin")
        return user


class VendorMemberInline(SafeAutocompleteMixin, admin.TabularInline):
    model = VendorMember
    form = VendorMemberForm
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")


class ReadOnlyCertificateInline(ReadOnlyAdminMixin, ReadOnlyInline):
    show_change_link = True

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> tuple[str, ...]:
        return tuple(self.fields)

    @admin.display(description=_("berkas"))
    def file_link(self, obj: TKDNCertificate | HalalCertificate) -> str:
        return _file_link(obj)


class TKDNCertificateInline(ReadOnlyCertificateInline):
    model = TKDNCertificate
    fields = ("number", "tkdn_pct", "bmp_pct", "expires_on", "status", "file_link")


class HalalCertificateInline(ReadOnlyCertificateInline):
    model = HalalCertificate
    fields = ("number", "scheme", "issued_on", "expires_on", "status", "file_link")


@admin.register(Vendor)
class VendorAdmin(IndexedSearch, VerificationActionsMixin, HistoryAdmin):
    form = VendorAdminForm
    # Status first: it is what the admin acts on; province is visible through the city. NIB
    # and NPWP share a column, and the day of sign-up is enough here (its time is on the
    # vendor's page): the list fits a 1366 px screen beside its filters.
    list_display = (
        "name",
        "status",
        "scale",
        "city",
        "registration_numbers",
        "tkdn_valid",
        "joined",
    )
    list_filter = (
        "status",
        "scale",
        "legal_form",
        CityFilter,
        TKDNExpiringFilter,
        "created_at",
    )
    search_fields = (
        "name",
        "nib",
        "npwp",
        "tkdn_certificates__number",
        "halal_certificates__number",
    )
    search_help_text = _(
        "Cari nama, NIB, NPWP (boleh dengan titik dan strip), atau nomor sertifikat TKDN/halal."
    )
    identifier_lookups = (
        (DIGITS, ("nib__startswith", "npwp__startswith")),
        (
            CERTIFICATE_NUMBER,
            ("tkdn_certificates__number__startswith", "halal_certificates__number__startswith"),
        ),
    )
    text_fields = ("name",)
    ordering = ("-pk",)  # the newest first, through the primary key
    list_per_page = 50  # rendering a row costs more than reading it
    fieldsets = (
        (_("Identitas"), {"fields": ("name", "legal_form", "nib", "npwp", "npwp_check")}),
        (
            _("Kegiatan dan alamat"),
            {"fields": ("kbli_codes", "address", "city", "province", "phone")},
        ),
        (_("Skala usaha"), {"fields": ("capital", "annual_sales", "scale", "scale_basis")}),
        (
            _("Verifikasi"),
            {"fields": ("status", "rejection_reason", "verified_at", "verified_by", "created_at")},
        ),
    )
    readonly_fields = (
        "npwp_check",
        "scale",
        "scale_basis",
        "status",
        "rejection_reason",
        "verified_at",
        "verified_by",
        "created_at",
    )
    inlines = (VendorMemberInline, TKDNCertificateInline, HalalCertificateInline)
    pending_status = VendorStatus.PENDING
    actions = (*VerificationActionsMixin.actions, "deactivate_selected")

    def has_delete_permission(self, request: HttpRequest, obj: Vendor | None = None) -> bool:
        return False

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        raise PermissionDenied(VENDOR_NOT_DELETED)

    @admin.action(description=_("Nonaktifkan"), permissions=["change"])
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(
            request,
            queryset,
            lambda vendor: services.vendor_deactivate(
                vendor=vendor, by=request.user, reason=DEACTIVATION_REASON
            ),
            DEACTIVATED_COUNT,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        valid_tkdn = (
            TKDNCertificate.objects.filter(
                vendor=OuterRef("pk"),
                status=CertificateStatus.VERIFIED,
                expires_on__gte=timezone.localdate(),
            )
            .order_by()
            .values("vendor")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(tkdn_valid_count=Coalesce(Subquery(valid_tkdn), 0))
        )

    def normalized_term(self, term: str) -> str:
        if _NPWP_TYPED.fullmatch(term):
            # NPWPs are stored as digits; admins copy them from documents with dots and dashes.
            return re.sub(r"\D", "", term)
        return term

    @admin.display(description=_("NIB / NPWP"), ordering="nib")
    def registration_numbers(self, vendor: Vendor) -> str:
        return format_html("{}<br>{}", vendor.nib or "—", self.npwp_formatted(vendor))

    @admin.display(description=_("terdaftar pada"), ordering="created_at")
    def joined(self, vendor: Vendor) -> str:
        return date_format(timezone.localdate(vendor.created_at), "DATE_FORMAT")

    def npwp_formatted(self, vendor: Vendor) -> str:
        if not vendor.npwp:
            return "—"
        if vendor.npwp_check_digit_ok:
            return vendor.npwp_display
        message = (
            NPWP_MISMATCH_CONFIRMED
            if vendor.npwp_check_digit_confirmed
            else NPWP_MISMATCH_UNCONFIRMED
        )
        return format_html('{} <span title="{}">⚠</span>', vendor.npwp_display, message)

    @admin.display(description=_("pemeriksaan NPWP"))
    def npwp_check(self, vendor: Vendor) -> str:
        if not vendor.npwp:
            return "—"
        if vendor.npwp_check_digit_ok:
            return NPWP_MATCH
        message = (
            NPWP_MISMATCH_CONFIRMED
            if vendor.npwp_check_digit_confirmed
            else NPWP_MISMATCH_UNCONFIRMED
        )
        return format_html('<strong class="errornote">⚠ {}</strong>', message)

    @admin.display(description=_("sertifikat TKDN berlaku"), ordering="tkdn_valid_count")
    def tkdn_valid(self, vendor: Vendor) -> int:
        return vendor.tkdn_valid_count

    def save_model(self, request: HttpRequest, obj: Vendor, form, change: bool) -> None:
        obj.refresh_scale()
        super().save_model(request, obj, form, change)

    def verify_one(self, obj: Vendor, *, by) -> None:
        services.vendor_verify(vendor=obj, by=by)

    def reject_one(self, obj: Vendor, *, by, reason: str) -> None:
        services.vendor_reject(vendor=obj, by=by, reason=reason)


@admin.register(VendorMember)
class VendorMemberAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    form = VendorMemberForm
    list_display = ("user", "vendor", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__full_name", "vendor__name", "vendor__nib")
    list_select_related = ("user", "vendor")
    autocomplete_fields = ("user", "vendor")
    readonly_fields = ("created_at",)


# Certificates -------------------------------------------------------------------------------


class TKDNCertificateAdminForm(CertificateAdminForm):
    number_validator = staticmethod(validate_tkdn_certificate_number)

    class Meta:
        model = TKDNCertificate
        fields = ("number", "basis", "products", "tkdn_pct", "bmp_pct", "issued_on", "expires_on")


class HalalCertificateAdminForm(CertificateAdminForm):
    number_validator = staticmethod(validate_halal_certificate_number)

    class Meta:
        model = HalalCertificate
        fields = ("number", "scheme", "products", "issued_on", "expires_on")


@admin.register(TKDNCertificate)
class TKDNCertificateAdmin(CertificateAdmin):
    form = TKDNCertificateAdminForm
    list_display = (
        "number",
        "vendor",
        "tkdn_pct",
        "bmp_pct",
        "tier",
        "basis",
        "issued_on",
        "expires_on",
        "status",
        "file_link",
    )
    list_filter = ("status", "basis", ExpiryWindowFilter)
    fieldsets = (
        (None, {"fields": ("vendor", "number", "basis", "products")}),
        (_("Kandungan lokal"), {"fields": ("tkdn_pct", "bmp_pct", "tier")}),
        (
            _("Masa berlaku"),
            {"fields": ("issued_on", "expires_on", "expiry_reminder_sent_at")},
        ),
        (_("Berkas"), {"fields": ("file_link",)}),
        (_("Verifikasi"), {"fields": CertificateAdmin.verification_fields}),
    )
    readonly_fields = (
        "vendor",
        "tier",
        "file_link",
        "expiry_reminder_sent_at",
        *CertificateAdmin.verification_fields,
    )

    @admin.display(description=_("tier"))
    def tier(self, certificate: TKDNCertificate) -> str:
        tier = certificate.tier
        return format_html('<span title="{}">{}</span>', tier.label, tier.value)


@admin.register(HalalCertificate)
class HalalCertificateAdmin(CertificateAdmin):
    form = HalalCertificateAdminForm
    list_display = (
        "number",
        "vendor",
        "scheme",
        "issued_on",
        "expires_on",
        "status",
        "file_link",
    )
    list_filter = ("status", "scheme", ExpiryWindowFilter)
    fieldsets = (
        (None, {"fields": ("vendor", "number", "scheme", "products")}),
        (_("Masa berlaku"), {"fields": ("issued_on", "expires_on", "expiry_reminder_sent_at")}),
        (_("Berkas"), {"fields": ("file_link",)}),
        (_("Verifikasi"), {"fields": CertificateAdmin.verification_fields}),
    )
    readonly_fields = (
        "vendor",
        "file_link",
        "expiry_reminder_sent_at",
        *CertificateAdmin.verification_fields,
    )


# Products -----------------------------------------------------------------------------------


@admin.register(Product)
class ProductAdmin(IndexedSearch, SafeAutocompleteMixin, HistoryAdmin):
    list_display = ("name", "vendor", "kbli", "price", "is_food", "is_active")
    list_filter = ("is_active", "is_food", "vendor__scale")
    search_fields = ("name", "brand", "vendor__name")
    text_fields = ("name", "brand")
    related_text_fields = ("vendor__name",)
    ordering = ("-pk",)  # the newest first, through the primary key
    list_per_page = 25  # rendering a row costs more than reading it
    search_help_text = _("Cari nama produk, merek, atau nama penyedia.")
    list_select_related = ("vendor",)
    autocomplete_fields = ("vendor",)
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("harga satuan"), ordering="unit_price")
    def price(self, product: Product) -> str:
        return rupiah(product.unit_price)


# Halal registration assistance --------------------------------------------------------------

ISSUE_FIELDS = (
    "certificate_number",
    "certificate_issued_on",
    "certificate_expires_on",
    "certificate_file",
)


def _can_record_issue(assistance: HalalAssistance | None) -> bool:
    """What services.halal_assistance_issue accepts."""
    return (
        assistance is not None
        and assistance.pk is not None
        and assistance.certificate_id is None
        and assistance.status not in (AssistanceStatus.ISSUED, AssistanceStatus.REJECTED)
    )


class _IssueRefused(SaveRefused):
    """The service refused a certificate the form accepted (another admin recorded the same
    number meanwhile): raised out of the admin's transaction so that nothing is saved."""


class HalalAssistanceAdminForm(forms.ModelForm):
    """The assistance, and (until it is issued) the certificate BPJPH issued for it."""

    certificate_number = forms.CharField(
        label=_("Nomor sertifikat halal"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=_("Seperti tertulis di sertifikat dari BPJPH, misalnya ID31110000123450824."),
    )
    certificate_issued_on = forms.DateField(
        label=_("Tanggal terbit sertifikat"), required=False, widget=AdminDateWidget
    )
    certificate_expires_on = forms.DateField(
        label=_("Berlaku sampai"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Kosongkan bila sertifikat berlaku selama bahan dan proses tetap."),
    )
    certificate_file = forms.FileField(
        label=_("Berkas sertifikat"), required=False, help_text=_("PDF, JPG, atau PNG.")
    )

    class Meta:
        model = HalalAssistance
        fields = (
            "vendor",
            "scheme",
            "products",
            "status",
            "assistant",
            "sihalal_reference",
            "submitted_on",
            "reviewed_on",
            "notes",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not _can_record_issue(self.instance):
            for name in ISSUE_FIELDS:
                self.fields.pop(name, None)
        if "status" in self.fields:
            # "Issued" is recorded with the certificate, through the service.
            self.fields["status"].choices = [
                choice
                for choice in self.fields["status"].choices
                if choice[0] != AssistanceStatus.ISSUED
            ]
        if "products" in self.fields:
            if self.instance.pk is not None:
                self.fields["products"].queryset = Product.objects.filter(
                    vendor_id=self.instance.vendor_id
                )
            else:
                self.fields["products"].queryset = Product.objects.select_related("vendor")
                self.fields["products"].label_from_instance = lambda p: f"{p.name} — {p.vendor}"

    def clean_certificate_number(self) -> str:
        number = normalize_certificate_number(self.cleaned_data["certificate_number"])
        if number:
            validate_halal_certificate_number(number)
            if HalalCertificate.objects.filter(number=number).exists():
                raise ValidationError(services.CERTIFICATE_NUMBER_TAKEN, code="taken")
        return number

    def clean_certificate_file(self):
        upload = self.cleaned_data["certificate_file"]
        return clean_document(upload) if upload else None

    def clean(self) -> dict:
        cleaned = super().clean()
        vendor_id = cleaned["vendor"].pk if cleaned.get("vendor") else self.instance.vendor_id
        products = cleaned.get("products")
        if vendor_id and products is not None and any(p.vendor_id != vendor_id for p in products):
            self.add_error("products", FOREIGN_PRODUCTS)
        if any(name in self.fields for name in ISSUE_FIELDS):
            self._clean_issue(cleaned)
        return cleaned

    def _clean_issue(self, cleaned: dict) -> None:
        names = ("certificate_number", "certificate_issued_on", "certificate_file")
        filled = [name for name in (*names, "certificate_expires_on") if cleaned.get(name)]
        if not filled:
            return
        if any(self.has_error(name) for name in ISSUE_FIELDS):
            return
        if not all(cleaned.get(name) for name in names):
            raise ValidationError(ISSUE_FIELDS_REQUIRED, code="issue_incomplete")
        issued_on: date = cleaned["certificate_issued_on"]
        expires_on: date | None = cleaned.get("certificate_expires_on")
        if issued_on > timezone.localdate():
            self.add_error("certificate_issued_on", ISSUE_DATE_IN_FUTURE)
        if expires_on is not None and expires_on <= issued_on:
            self.add_error("certificate_expires_on", ISSUE_EXPIRY_BEFORE_ISSUE)
        if cleaned.get("status") == AssistanceStatus.REJECTED:
            self.add_error("status", ISSUE_WITH_REJECTED)

    @property
    def issue_requested(self) -> bool:
        return bool(self.cleaned_data.get("certificate_number"))


@admin.register(HalalAssistance)
class HalalAssistanceAdmin(RefusalMessageMixin, SafeAutocompleteMixin, HistoryAdmin):
    form = HalalAssistanceAdminForm
    list_display = (
        "vendor",
        "scheme",
        "status",
        "assistant",
        "submitted_on",
        "reviewed_on",
        "issued_on",
    )
    list_filter = ("status", "scheme", ("assistant", admin.RelatedOnlyFieldListFilter))
    search_fields = ("vendor__name", "vendor__nib", "sihalal_reference")
    search_help_text = _("Cari nama penyedia, NIB, atau nomor pendaftaran SIHALAL.")
    list_select_related = ("vendor", "assistant")
    autocomplete_fields = ("vendor",)
    filter_horizontal = ("products",)

    def get_fieldsets(self, request: HttpRequest, obj: HalalAssistance | None = None) -> list:
        fieldsets = [
            (None, {"fields": ("vendor", "scheme", "products", "status", "assistant")}),
            (
                _("SIHALAL"),
                {
                    "fields": (
                        "sihalal_reference",
                        "submitted_on",
                        "reviewed_on",
                        "issued_on",
                        "certificate",
                    )
                },
            ),
            (_("Catatan"), {"fields": ("notes",)}),
        ]
        if _can_record_issue(obj):
            fieldsets.append(
                (
                    _("Catat sertifikat terbit"),
                    {
                        "fields": ISSUE_FIELDS,
                        "description": _(
                            "Isi bila BPJPH sudah menerbitkan sertifikatnya: sertifikat "
                            "tercatat terverifikasi untuk produk pendampingan ini, dan "
                            "penyedia diberi tahu."
                        ),
                    },
                )
            )
        return fieldsets

    def get_readonly_fields(
        self, request: HttpRequest, obj: HalalAssistance | None = None
    ) -> tuple[str, ...]:
        fields = ("certificate", "issued_on")
        if obj is not None:
            fields = (*fields, "vendor")
            if obj.status == AssistanceStatus.ISSUED:
                fields = (*fields, "status", "scheme", "products")
        return fields

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "assistant":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not (change and "certificate_number" in form.fields and form.issue_requested):
            return
        data = form.cleaned_data
        try:
            certificate = services.halal_assistance_issue(
                assistance=form.instance,
                by=request.user,
                number=data["certificate_number"],
                issued_on=data["certificate_issued_on"],
                expires_on=data.get("certificate_expires_on"),
                file=data["certificate_file"],
            )
        except ValidationError as error:
            raise _IssueRefused(error_text(error)) from error
        form.instance.refresh_from_db()
        self.message_user(request, ISSUE_DONE.format(number=certificate.number), messages.SUCCESS)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        counts = HalalAssistance.objects.aggregate(
            **{
                status.value: Count("pk", filter=Q(status=status.value))
                for status in AssistanceStatus
            }
        )
        status_counts = [
            {"value": status.value, "label": status.label, "count": counts[status.value]}
            for status in AssistanceStatus
        ]
        return super().changelist_view(
            request, {**(extra_context or {}), "status_counts": status_counts}
        )


# Invitations --------------------------------------------------------------------------------


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: owners invite and cancel from the portal."""

    list_display = ("email", "vendor", "invited_by", "created_at", "accepted_at")
    list_filter = (("accepted_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("email", "vendor__name", "vendor__nib")
    list_select_related = ("vendor", "invited_by")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False


# The blacklist (daftar hitam) ---------------------------------------------------------------

BLACKLIST_NOT_DELETED = _(
    "Keputusan daftar hitam tidak dihapus: riwayatnya tetap tersimpan. Untuk mengakhirinya "
    "lebih awal, pakai aksi “Cabut daftar hitam” di daftar keputusan (dengan alasan); untuk "
    "memperbaiki isinya, ubah keputusannya."
)
BLACKLIST_LIFT_TITLE = _("Cabut daftar hitam")
BLACKLIST_LIFTED_COUNT = _("{count} keputusan daftar hitam dicabut; penyedianya diberi tahu.")
BLACKLIST_NOTHING_TO_LIFT = _(
    "Tidak ada keputusan yang masih berlaku atau akan berlaku di antara yang dipilih; tidak "
    "ada yang dicabut."
)
BLACKLIST_LIFT_REASON_HELP = _(
    "Penyedia membaca alasan ini di email dan di portal. Wajib bila sanksi dicabut sebelum "
    "masanya berakhir."
)


class BlacklistingStateFilter(admin.SimpleListFilter):
    """In force today, still to come, ended by itself, or lifted (today in Jakarta)."""

    title = _("keadaan")
    parameter_name = "keadaan"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [
            ("berlaku", _("Berlaku hari ini")),
            ("akan", _("Akan berlaku")),
            ("berakhir", _("Sudah berakhir")),
            ("dicabut", _("Dicabut")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        if self.value() == "berlaku":
            return queryset.listed_on(today)
        if self.value() == "akan":
            return queryset.filter(starts_on__gt=today, lifted_on__isnull=True)
        if self.value() == "berakhir":
            return queryset.filter(ends_on__lt=today).filter(
                Q(lifted_on__isnull=True) | Q(lifted_on__gt=models.F("ends_on"))
            )
        if self.value() == "dicabut":
            return queryset.filter(lifted_on__isnull=False)
        return queryset


class BlacklistingAdminForm(forms.ModelForm):
    class Meta:
        model = Blacklisting
        fields = ("vendor", "decision_reference", "reason", "starts_on", "ends_on")
        widgets = {"reason": forms.Textarea(attrs={"rows": 4, "cols": 80})}

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The service's own checks (dates, overlap with another decision), on the fields.
        candidate = Blacklisting(
            pk=self.instance.pk,
            vendor_id=cleaned.get("vendor").pk
            if cleaned.get("vendor")
            else self.instance.vendor_id,
            reason=cleaned.get("reason", ""),
            decision_reference=cleaned.get("decision_reference", ""),
            starts_on=cleaned.get("starts_on"),
            ends_on=cleaned.get("ends_on"),
        )
        try:
            services.blacklisting_validate(candidate)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class LiftForm(forms.Form):
    lifted_on = forms.DateField(
        label=_("Dicabut mulai"),
        # The browser's own date picker: the admin's calendar script writes inline styles,
        # which the Content-Security-Policy refuses on this page of its own.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Sejak tanggal ini penyedia dapat kembali mengikuti pengadaan."),
    )
    reason = forms.CharField(
        label=_("Alasan pencabutan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=BLACKLIST_LIFT_REASON_HELP,
    )


@admin.register(Blacklisting)
class BlacklistingAdmin(RefusalMessageMixin, SafeAutocompleteMixin, HistoryAdmin):
    """Dinas admins record, correct and lift blacklist decisions, each through
    vendors.services (audited, the vendor told); a decision is never deleted."""

    form = BlacklistingAdminForm
    list_display = ("vendor", "decision_reference", "period", "state", "decided_by")
    list_filter = (BlacklistingStateFilter, "starts_on")
    search_fields = ("vendor__name", "vendor__nib", "decision_reference")
    search_help_text = _("Cari nama penyedia, NIB, atau nomor keputusan.")
    list_select_related = ("vendor", "decided_by")
    autocomplete_fields = ("vendor",)
    ordering = ("-starts_on", "-pk")
    actions = ("lift_selected",)
    lift_template = "admin/vendors/blacklisting/lift.html"
    fieldsets = (
        (None, {"fields": ("vendor", "decision_reference", "reason")}),
        (_("Masa sanksi"), {"fields": ("starts_on", "ends_on", "state")}),
        (
            _("Pencatatan dan pencabutan"),
            {"fields": ("decided_by", "created_at", "lifted_on", "lift_reason", "lifted_by")},
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Blacklisting | None = None):
        kept = ("state", "decided_by", "created_at", "lifted_on", "lift_reason", "lifted_by")
        if obj is None:
            return kept
        return ("vendor", *kept)

    def get_fieldsets(self, request: HttpRequest, obj: Blacklisting | None = None):
        if obj is None:  # what is known only once recorded
            return (*self.fieldsets[:1], (_("Masa sanksi"), {"fields": ("starts_on", "ends_on")}))
        return self.fieldsets

    def has_change_permission(self, request: HttpRequest, obj: Blacklisting | None = None):
        # A lifted decision is kept as it was (services.blacklisting_update refuses it).
        if obj is not None and obj.lifted_on is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Blacklisting | None = None):
        return False

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        raise PermissionDenied(BLACKLIST_NOT_DELETED)

    @admin.display(description=_("masa sanksi"), ordering="starts_on")
    def period(self, blacklisting: Blacklisting) -> str:
        return blacklisting.period_display()

    @admin.display(description=_("keadaan"))
    def state(self, blacklisting: Blacklisting) -> str:
        if blacklisting.pk is None:
            return "—"
        today = timezone.localdate()
        if blacklisting.lifted_on is not None and blacklisting.lifted_on <= today:
            return _("Dicabut")
        if blacklisting.is_listed_on(today):
            return _("Berlaku hari ini")
        if blacklisting.starts_on > today:
            return _("Akan berlaku")
        return _("Sudah berakhir")

    def save_model(self, request: HttpRequest, obj: Blacklisting, form, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.BLACKLISTING_EDITABLE}
        try:
            if change:
                saved = services.blacklisting_update(blacklisting=obj, by=request.user, **fields)
            else:
                saved = services.blacklisting_create(
                    vendor=form.cleaned_data["vendor"], by=request.user, **fields
                )
        except ValidationError as error:
            raise SaveRefused(error_text(error)) from error
        obj.pk = saved.pk
        obj.decided_by = saved.decided_by
        obj.created_at = saved.created_at

    @admin.action(description=BLACKLIST_LIFT_TITLE, permissions=["change"])
    def lift_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        today = timezone.localdate()
        objects = list(queryset.select_related("vendor"))
        liftable = [
            b for b in objects if b.lifted_on is None and (b.ends_on is None or b.ends_on >= today)
        ]
        if not liftable:
            self.message_user(request, BLACKLIST_NOTHING_TO_LIFT, messages.WARNING)
            return None
        form = LiftForm(
            request.POST if "apply" in request.POST else None, initial={"lifted_on": today}
        )
        if form.is_valid():
            on, reason = form.cleaned_data["lifted_on"], form.cleaned_data["reason"]
            done, refused = 0, []
            for blacklisting in liftable:
                try:
                    with transaction.atomic():
                        services.blacklisting_lift(
                            blacklisting=blacklisting, by=request.user, reason=reason, on=on
                        )
                except ValidationError as error:
                    refused.append(error)
                else:
                    done += 1
            if done:
                self.message_user(
                    request, BLACKLIST_LIFTED_COUNT.format(count=done), messages.SUCCESS
                )
            if refused and not done:
                # Nothing was lifted: the page again, with what to put right.
                for error in refused[:1]:
                    form.add_error(
                        "reason"
                        if "lift_reason" in getattr(error, "error_dict", {})
                        else "lifted_on"
                        if "lifted_on" in getattr(error, "error_dict", {})
                        else None,
                        error_text(error),
                    )
            else:
                for error in refused:
                    self.message_user(request, error_text(error), messages.WARNING)
                return None
        opts = self.opts
        changelist_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": BLACKLIST_LIFT_TITLE,
            "opts": opts,
            "form": form,
            "objects": objects,
            "liftable": liftable,
            "skipped": [b for b in objects if b not in liftable],
            "action_name": "lift_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": changelist_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.lift_template, context)
