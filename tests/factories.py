import io
from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from procurement.models import OPD, Officer, Package, PackageItem, Position
from procurement.rules import Category, Method
from vendors import rules
from vendors.models import (
    CertificateStatus,
    HalalCertificate,
    HalalScheme,
    LegalForm,
    MemberRole,
    Product,
    TKDNBasis,
    TKDNCertificate,
    Vendor,
    VendorMember,
    VendorStatus,
)

PASSWORD = "rahasia-uji-123"


# The smallest well-formed PDF: what a scanned certificate looks like to the checks.
def _pdf(*objects: bytes) -> bytes:
    """A whole PDF of these objects (numbered from 1, the first the catalog), with its
    cross-reference table: what a PDF parser (pypdf, in vendors.uploads) reads."""
    body = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj" % number + content + b"endobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(body)


PDF_BYTES = _pdf(
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>",
)


def pdf_upload(name: str = "sertifikat.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(buffer, fmt)
    return buffer.getvalue()


def image_upload(name: str = "foto.png", fmt: str = "PNG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt), content_type=f"image/{fmt.lower()}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pengguna{n}@contoh.id")
    full_name = factory.Faker("name", locale="id_ID")
    password = factory.django.Password(PASSWORD)


class AdminFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def admin_group(self, create, extracted, **kwargs):
        if create:
            from accounts.services import admin_group_ensure

            self.groups.add(admin_group_ensure())


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"CV Usaha Maju {n}")
    legal_form = LegalForm.CV
    nib = factory.Sequence(lambda n: f"{9120000000000 + n}")
    npwp = factory.Sequence(lambda n: f"{10000000000000 + n * 1000:015d}")
    kbli_codes = factory.LazyFunction(lambda: ["10792"])
    address = "Jl. Pemuda No. 1"
    city = "Kota Jakarta Timur"
    province = "DKI Jakarta"
    phone = "021-4890000"
    capital = Decimal("750000000")
    annual_sales = None
    scale = factory.LazyAttribute(
        lambda o: rules.business_scale(capital=o.capital, annual_sales=o.annual_sales)
    )
    scale_basis = factory.LazyAttribute(
        lambda o: rules.scale_basis(capital=o.capital, annual_sales=o.annual_sales)
    )
    status = VendorStatus.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)


class VendorMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorMember

    user = factory.SubFactory(UserFactory)
    vendor = factory.SubFactory(VendorFactory)
    role = MemberRole.OWNER


class OPDFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OPD

    code = factory.Sequence(lambda n: f"9.{n:02d}.01")
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    short_name = factory.Sequence(lambda n: f"Uji{n}")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    opd = factory.SubFactory(OPDFactory)
    position = Position.PPK


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Kerupuk Udang Premium {n}")
    description = "Kerupuk udang dari udang segar Sidoarjo, tanpa pengawet."
    kbli = "10792"
    unit = "kg"
    unit_price = Decimal("85000")
    brand = "Sari Laut"


class TKDNCertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TKDNCertificate
        skip_postgeneration_save = True

    vendor = factory.SubFactory(VendorFactory)
    number = factory.Sequence(lambda n: f"{1000 + n}/SJ-IND.8/TKDN/7/2024")
    tkdn_pct = Decimal("45.50")
    bmp_pct = Decimal("10.00")
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3 * 365))
    basis = TKDNBasis.LVI
    file = factory.django.FileField(filename="sertifikat.pdf", data=PDF_BYTES)
    status = CertificateStatus.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)


class HalalCertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HalalCertificate
        skip_postgeneration_save = True

    vendor = factory.SubFactory(VendorFactory)
    number = factory.Sequence(lambda n: f"ID3111000{n:07d}0824")
    scheme = HalalScheme.REGULER
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    expires_on = None
    file = factory.django.FileField(filename="halal.pdf", data=PDF_BYTES)
    status = CertificateStatus.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)


class PackageFactory(factory.django.DjangoModelFactory):
    """A draft goods package of the officer's OPD; add items with PackageItemFactory."""

    class Meta:
        model = Package

    opd = factory.SubFactory(OPDFactory)
    rup_code = factory.Sequence(lambda n: f"{40000000 + n}")
    title = factory.Sequence(lambda n: f"Pengadaan meja belajar siswa {n}")
    fiscal_year = 2026
    category = Category.GOODS
    method = Method.TENDER
    pagu = Decimal("1500000000")
    hps = Decimal("1200000000")
    pdn = True
    max_preference_pct = Decimal("25")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    created_by = factory.SubFactory(UserFactory)
    reserved_for_small_business = True


class PackageItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackageItem

    package = factory.SubFactory(PackageFactory)
    position = factory.Sequence(lambda n: n + 1)
    description = "Meja belajar siswa kayu jati"
    kbli = "31001"
    quantity = Decimal("1000")
    unit = "unit"
    hps_unit_price = Decimal("1200000")
