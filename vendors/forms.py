import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from p3dn_portal.lib.fields import PercentField, RupiahField
from vendors import rules, services, uploads, validators
from vendors.models import (
    HOME_PROVINCE,
    PROVINCE_CHOICES,
    HalalCertificate,
    HalalScheme,
    LegalForm,
    Product,
    TKDNBasis,
    TKDNCertificate,
    Vendor,
)

NPWP_CHECK_DIGIT_WARNING = _(
    "Angka ke-9 NPWP ini (angka pemeriksa) tidak cocok dengan 8 angka sebelumnya, tanda "
    "kemungkinan salah ketik. "
    "Periksa lagi dengan kartu NPWP; jika sudah benar, centang konfirmasi di bawah lalu lanjutkan."
)
KBLI_REQUIRED = _("Tulis paling sedikit satu kode KBLI usaha Anda.")
KBLI_TOO_MANY = _("Paling banyak 20 kode KBLI.")
SIZE_REQUIRED = _(
    "Isi modal usaha (untuk usaha baru) atau hasil penjualan tahunan (untuk usaha yang sudah "
    "berjalan), atau keduanya: skala usaha dihitung dari situ."
)
BMP_TOO_HIGH = _("BMP paling tinggi %(limit_value)s%%.")
TKDN_BMP_OVER_100 = _("TKDN ditambah BMP tidak boleh lebih dari 100%.")
EXPIRY_BEFORE_ISSUE = services.EXPIRY_BEFORE_ISSUE
SELF_DECLARE_NOT_SMALL = _(
    "Deklarasi mandiri hanya untuk usaha mikro dan kecil. Pilih sertifikat yang diverifikasi "
    "lembaga verifikasi independen."
)
PRODUCTS_REQUIRED = _(
    "Pilih produk yang dicakup sertifikat ini (daftarkan produknya dulu jika belum)."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _parse_kbli_codes(text: str) -> list[str]:
    codes = [c for c in re.split(r"[\s,;]+", text or "") if c]
    if not codes:
        raise ValidationError(KBLI_REQUIRED, code="required")
    if len(codes) > 20:
        raise ValidationError(KBLI_TOO_MANY, code="too_many")
    errors = []
    for code in codes:
        try:
            validators.validate_kbli(code)
        except ValidationError:
            errors.append(code)
    if errors:
        raise ValidationError(
            _("%(codes)s: %(message)s"),
            params={"codes": ", ".join(errors), "message": validators.KBLI_INVALID},
            code="kbli_invalid",
        )
    return sorted(set(codes))


class VendorIdentityForm(forms.Form):
    name = forms.CharField(
        label=_("Nama badan usaha"),
        max_length=200,
        help_text=_("Sesuai akta atau NIB, misalnya CV Batik Betawi Nusantara."),
    )
    legal_form = forms.ChoiceField(label=_("Bentuk usaha"), choices=LegalForm.choices)
    nib = forms.CharField(
        label=_("NIB (Nomor Induk Berusaha)"),
        max_length=20,
        help_text=_("13 angka dari OSS."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    npwp = forms.CharField(
        label=_("NPWP"),
        max_length=25,
        help_text=_("15 angka (boleh dengan titik dan strip) atau 16 angka."),
    )
    npwp_confirm = forms.BooleanField(
        label=_("Saya sudah memeriksa NPWP ini dengan kartu NPWP dan yakin benar."),
        required=False,
        widget=forms.HiddenInput,
    )
    kbli_codes = forms.CharField(
        label=_("Kode KBLI"),
        help_text=_("Kode KBLI 2020 usaha Anda (5 angka), pisahkan dengan koma: 10792, 13121."),
    )

    def __init__(self, *args: object, vendor: Vendor | None = None, **kwargs: object) -> None:
        self.vendor = vendor  # the company being edited, whose own NIB/NPWP are not "taken"
        super().__init__(*args, **kwargs)

    def _others(self):
        others = Vendor.objects.all()
        return others.exclude(pk=self.vendor.pk) if self.vendor else others

    def clean_nib(self) -> str:
        nib = validators.normalize_nib(self.cleaned_data["nib"])
        validators.validate_nib(nib)
        if self._others().filter(nib=nib).exists():
            raise ValidationError(services.NIB_TAKEN, code="taken")
        return nib

    def clean_npwp(self) -> str:
        npwp = validators.normalize_npwp(self.cleaned_data["npwp"])
        validators.validate_npwp(npwp)
        if self._others().filter(npwp=npwp).exists():
            raise ValidationError(services.NPWP_TAKEN, code="taken")
        return npwp

    def clean_kbli_codes(self) -> list[str]:
        return _parse_kbli_codes(self.cleaned_data["kbli_codes"])

    def clean(self) -> dict:
        cleaned = super().clean()
        npwp = cleaned.get("npwp")
        if npwp and not rules.npwp_check_digit_ok(npwp):
            # A warning the user can confirm, not a block: show the confirmation box.
            self.fields["npwp_confirm"].widget = forms.CheckboxInput()
            if not cleaned.get("npwp_confirm"):
                self.add_error(
                    "npwp", ValidationError(NPWP_CHECK_DIGIT_WARNING, code="check_digit")
                )
        elif npwp:
            cleaned["npwp_confirm"] = False
        return cleaned


class VendorAddressForm(forms.Form):
    address = forms.CharField(label=_("Alamat usaha"), widget=forms.Textarea(attrs={"rows": 3}))
    # A Jakarta portal: most companies are in DKI Jakarta; the others pick theirs.
    province = forms.ChoiceField(
        label=_("Provinsi"), choices=[("", "---------"), *PROVINCE_CHOICES], initial=HOME_PROVINCE
    )
    city = forms.CharField(
        label=_("Kota/kabupaten"), max_length=100, help_text=_("Misalnya Kota Jakarta Timur.")
    )
    phone = forms.CharField(
        label=_("Telepon usaha"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )


class VendorSizeForm(forms.Form):
    capital = RupiahField(
        label=_("Modal usaha, di luar tanah dan bangunan (Rp)"),
        required=False,
        help_text=_("Dasar skala untuk usaha baru."),
    )
    annual_sales = RupiahField(
        label=_("Hasil penjualan tahunan (Rp)"),
        required=False,
        help_text=_(
            "Dasar skala untuk usaha yang sudah berjalan; jika diisi, inilah yang menentukan."
        ),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            cleaned.get("capital") is None
            and cleaned.get("annual_sales") is None
            and not self.errors
        ):
            raise ValidationError(SIZE_REQUIRED, code="size_required")
        return cleaned


class VendorEditForm(VendorIdentityForm, VendorAddressForm, VendorSizeForm):
    """The owner's edit of the whole company; identity is read-only once verified."""

    field_order = [
        "name",
        "legal_form",
        "nib",
        "npwp",
        "npwp_confirm",
        "kbli_codes",
        "address",
        "province",
        "city",
        "phone",
        "capital",
        "annual_sales",
    ]

    def __init__(self, *args: object, vendor: Vendor, **kwargs: object) -> None:
        initial = {
            **{f: getattr(vendor, f) for f in services.EDITABLE_FIELDS},
            "kbli_codes": ", ".join(vendor.kbli_codes),
            "npwp_confirm": vendor.npwp_check_digit_confirmed,
        }
        super().__init__(*args, vendor=vendor, initial=initial, **kwargs)
        self.locked_note = services.IDENTITY_LOCKED if vendor.is_verified else None
        if vendor.is_verified:
            for name in services.IDENTITY_FIELDS:
                self.fields[name].disabled = True

    def clean(self) -> dict:
        VendorIdentityForm.clean(self)
        return VendorSizeForm.clean(self)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email rekan Anda"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once; each checked by content."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(**kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > 10:
            raise ValidationError(_("Paling banyak 10 foto sekali unggah."), code="too_many")
        return [uploads.clean_image(f) for f in files]


class ProductForm(forms.ModelForm):
    unit_price = RupiahField(label=_("Harga satuan (Rp)"))
    photos = PhotosField(
        label=_("Foto produk"),
        required=False,
        help_text=_("JPG, PNG, atau WebP; paling besar 5 MB per foto."),
    )

    class Meta:
        model = Product
        fields = list(services.PRODUCT_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "specification": forms.Textarea(attrs={"rows": 3}),
            "kbli": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "kbli": _("5 angka, misalnya 10792."),
            "hs_code": _("Opsional, misalnya 1905.90."),
        }

    def clean_kbli(self) -> str:
        kbli = self.cleaned_data["kbli"].strip()
        validators.validate_kbli(kbli)
        return kbli

    def clean_hs_code(self) -> str:
        hs_code = validators.normalize_hs_code(self.cleaned_data["hs_code"])
        if hs_code:
            validators.validate_hs_code(hs_code)
        return hs_code


class _CertificateForm(forms.ModelForm):
    products = forms.ModelMultipleChoiceField(
        label=_("Produk yang dicakup"),
        queryset=Product.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": PRODUCTS_REQUIRED},
    )

    def __init__(self, *args: object, vendor: Vendor, **kwargs: object) -> None:
        self.vendor = vendor
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = vendor.products.order_by("name")
        self.fields["file"].required = self.instance.pk is None
        # A plain input: a "currently" link would point into the private storage, which has
        # no URL (the list links each file through the view that checks who asks).
        self.fields["file"].widget = forms.FileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        )
        self.fields["file"].help_text = (
            _("PDF, JPG, atau PNG; paling besar 5 MB.")
            if self.instance.pk is None
            else _(
                "PDF, JPG, atau PNG; paling besar 5 MB. Kosongkan untuk tetap memakai berkas "
                "yang sudah diunggah."
            )
        )
        for name in ("issued_on", "expires_on"):
            self.fields[name].widget = DateInput()

    def clean_number(self) -> str:
        number = validators.normalize_certificate_number(self.cleaned_data["number"])
        self.number_validator(number)
        return number

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload is not self.initial.get("file"):
            return uploads.clean_document(upload)
        return upload

    def clean(self) -> dict:
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", ValidationError(EXPIRY_BEFORE_ISSUE, code="expiry"))
        return cleaned


class TKDNCertificateForm(_CertificateForm):
    tkdn_pct = PercentField(label=_("TKDN (%)"))
    bmp_pct = PercentField(
        label=_("BMP (%)"),
        max_value=rules.BMP_MAX,
        initial=Decimal("0"),
        error_messages={"max_value": BMP_TOO_HIGH},
    )
    number_validator = staticmethod(validators.validate_tkdn_certificate_number)

    class Meta:
        model = TKDNCertificate
        fields = [
            "number",
            "products",
            "tkdn_pct",
            "bmp_pct",
            "issued_on",
            "expires_on",
            "basis",
            "file",
        ]
        help_texts = {
            "number": _("Seperti tertulis di sertifikat: 1234/SJ-IND.8/TKDN/7/2024."),
            "expires_on": _(
                "Salin dari sertifikat (3 tahun untuk sertifikat lama, 5 tahun sejak 2025)."
            ),
        }
        error_messages = {"number": {"unique": services.CERTIFICATE_NUMBER_TAKEN}}

    def clean(self) -> dict:
        cleaned = super().clean()
        tkdn, bmp = cleaned.get("tkdn_pct"), cleaned.get("bmp_pct")
        if bmp is not None and bmp > rules.BMP_MAX:
            self.add_error(
                "bmp_pct",
                ValidationError(BMP_TOO_HIGH, code="bmp", params={"limit_value": rules.BMP_MAX}),
            )
        elif tkdn is not None and bmp is not None and tkdn + bmp > 100:
            self.add_error("bmp_pct", ValidationError(TKDN_BMP_OVER_100, code="sum"))
        if cleaned.get("basis") == TKDNBasis.SELF_DECLARED and not self.vendor.is_umk:
            self.add_error("basis", ValidationError(SELF_DECLARE_NOT_SMALL, code="self_declare"))
        return cleaned


class HalalCertificateForm(_CertificateForm):
    number_validator = staticmethod(validators.validate_halal_certificate_number)

    class Meta:
        model = HalalCertificate
        fields = ["number", "scheme", "products", "issued_on", "expires_on", "file"]
        help_texts = {"number": _("ID diikuti 14 sampai 18 angka, seperti di sertifikat BPJPH.")}
        error_messages = {"number": {"unique": services.CERTIFICATE_NUMBER_TAKEN}}

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("scheme") == HalalScheme.SELF_DECLARE and not self.vendor.is_umk:
            self.add_error("scheme", ValidationError(SELF_DECLARE_NOT_SMALL, code="self_declare"))
        return cleaned
