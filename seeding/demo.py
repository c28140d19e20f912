"""Demo data: OPDs and their officers, UMKM vendors from Jakarta and beyond, and an admin.
Loading twice changes nothing; demo users keep any password they were given since."""

from base64 import b32decode
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services as account_services
from accounts.models import User
from procurement.models import OPD, Officer, Position
from seeding import demo_contracts, demo_matching, demo_payments, demo_procurement
from vendors import rules
from vendors.models import (
    AssistanceStatus,
    CertificateStatus,
    HalalAssistance,
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

DEMO_PASSWORD = "demo-p3dn-2026"
# The demo admin's authenticator key (base32, as typed into an app): published, demo only.
ADMIN_TOTP_KEY = "P3DNDEMOADMINTOTPKEYP3DNDEMOADMN"
DEMO_DOMAIN = "demo.p3dn.id"

OPDS = [
    ("1.01.01", "Dinas Pendidikan", "Disdik"),
    ("1.02.01", "Dinas Kesehatan", "Dinkes"),
    ("1.02.02", "RSUD Tarakan", "RSUD Tarakan"),
    ("1.02.03", "RSUD Pasar Minggu", "RSUD Pasar Minggu"),
    (
        "3.31.01",
        "Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah",
        "Dinas PPKUKM",
    ),
    ("1.03.01", "Dinas Bina Marga", "Bina Marga"),
]

# (email local part, name, OPD short name, position)
OFFICERS = [
    ("kpa.disdik", "Drs. Bambang Suryanto, M.Pd.", "Disdik", Position.KPA),
    ("ppk.disdik", "Rina Kartikasari, S.E.", "Disdik", Position.PPK),
    ("pptk.disdik", "Agus Setiawan, S.T.", "Disdik", Position.PPTK),
    ("pengadaan.disdik", "Dewi Lestari, S.Kom.", "Disdik", Position.PEJABAT_PENGADAAN),
    ("pokja.disdik", "Hendra Gunawan, S.H.", "Disdik", Position.POKJA),
    ("ppk.dinkes", "dr. Fitri Handayani, M.K.M.", "Dinkes", Position.PPK),
    ("pengadaan.dinkes", "Yusuf Hidayat, S.Farm.", "Dinkes", Position.PEJABAT_PENGADAAN),
    ("ppk.tarakan", "Ns. Maria Ulfa, S.Kep.", "RSUD Tarakan", Position.PPK),
    ("pokja.tarakan", "Teguh Prasetyo, S.E., M.M.", "RSUD Tarakan", Position.POKJA),
    ("ppk.pasarminggu", "Siti Nurhaliza, S.Si., Apt.", "RSUD Pasar Minggu", Position.PPK),
    ("kpa.ppkukm", "Ir. Taufik Rahman, M.Si.", "Dinas PPKUKM", Position.KPA),
    ("ppk.ppkukm", "Lusiana Siregar, S.E.", "Dinas PPKUKM", Position.PPK),
    ("bendahara.ppkukm", "Yohana Simanjuntak, S.Ak.", "Dinas PPKUKM", Position.BENDAHARA),
    ("pengadaan.ppkukm", "Rahmat Hidayat, S.E.", "Dinas PPKUKM", Position.PEJABAT_PENGADAAN),
    ("ppk.binamarga", "Andi Wijaya, S.T., M.T.", "Bina Marga", Position.PPK),
]


# A demo product: (name, KBLI, unit, unit price, brand, is_food, TKDN %, BMP %, certificate
# state, halal). TKDN None: no certificate. State: verified, pending, rejected, expiring
# (verified, ends in 20 days), expired.
DemoProduct = tuple[str, str, str, int, str, bool, float | None, float, str | None, bool]


@dataclass(frozen=True)
class DemoVendor:
    key: str
    name: str
    legal_form: str
    city: str
    province: str
    status: str
    owner: str
    kbli: tuple[str, ...]
    capital: int
    annual_sales: int | None = None
    staff: tuple[str, ...] = ()
    products: tuple[DemoProduct, ...] = ()
    rejection_reason: str = ""


MILLION = 1_000_000
VENDORS = [
    DemoVendor(
        "batik",
        "CV Batik Betawi Nusantara",
        LegalForm.CV,
        "Kota Jakarta Barat",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Siti Rahmawati",
        ("13134", "14111"),
        capital=450 * MILLION,
        annual_sales=1_800 * MILLION,
        staff=("Ahmad Fauzi",),
        products=(
            (
                "Kain batik Betawi motif ondel-ondel",
                "13134",
                "lembar",
                350_000,
                "Betawi Asli",
                False,
                62.5,
                8,
                "verified",
                False,
            ),
            (
                "Seragam batik ASN lengan panjang",
                "14111",
                "potong",
                285_000,
                "Betawi Asli",
                False,
                48.2,
                6,
                "expiring",
                False,
            ),
        ),
    ),
    DemoVendor(
        "mebel",
        "PT Sinar Mebel Cakung",
        LegalForm.PT,
        "Kota Jakarta Timur",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Budi Santoso",
        ("31001",),
        capital=3_200 * MILLION,
        annual_sales=12_500 * MILLION,
        products=(
            (
                "Meja belajar siswa kayu jati",
                "31001",
                "unit",
                1_150_000,
                "Sinar",
                False,
                71.3,
                12,
                "verified",
                False,
            ),
            (
                "Kursi kuliah lipat",
                "31001",
                "unit",
                640_000,
                "Sinar",
                False,
                38.4,
                4,
                "verified",
                False,
            ),
            (
                "Lemari arsip besi 4 laci",
                "31001",
                "unit",
                2_750_000,
                "Sinar",
                False,
                21.0,
                3,
                "verified",
                False,
            ),
            # Delivered in place of the bid's chair on a demo contract (achieved TKDN below
            # the offer: seeding/demo_contracts.py).
            (
                "Kursi lipat rangka impor",
                "31001",
                "unit",
                520_000,
                "Sinar",
                False,
                12.0,
                0,
                "verified",
                False,
            ),
        ),
    ),
    DemoVendor(
        "tahu",
        "Koperasi Produsen Tahu Tempe Semanggi",
        LegalForm.KOPERASI,
        "Kota Jakarta Selatan",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Haji Mulyadi",
        ("10792",),
        capital=600 * MILLION,
        annual_sales=4_100 * MILLION,
        products=(
            (
                "Tempe kedelai lokal untuk makanan bergizi sekolah",
                "10792",
                "kg",
                18_000,
                "Semanggi",
                True,
                88.0,
                10,
                "verified",
                True,
            ),
            ("Tahu putih", "10792", "kg", 16_000, "Semanggi", True, None, 0, None, True),
        ),
    ),
    DemoVendor(
        "kerupuk",
        "UD Kerupuk Kulit Condet",
        LegalForm.PERORANGAN,
        "Kota Jakarta Timur",
        "DKI Jakarta",
        VendorStatus.PENDING,
        "Nurul Aini",
        ("10799",),
        capital=80 * MILLION,
        products=(
            (
                "Kerupuk kulit sapi",
                "10799",
                "bungkus",
                25_000,
                "Condet",
                True,
                75.0,
                5,
                "pending",
                False,
            ),
        ),
    ),
    DemoVendor(
        "seragam",
        "CV Konveksi Seragam Tanah Abang",
        LegalForm.CV,
        "Kota Jakarta Pusat",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Rudi Hartono",
        ("14111", "14112"),
        capital=1_400 * MILLION,
        annual_sales=9_600 * MILLION,
        staff=("Lina Marlina",),
        products=(
            (
                "Seragam sekolah SD putih merah",
                "14111",
                "stel",
                145_000,
                "Abang Jaya",
                False,
                55.0,
                9,
                "verified",
                False,
            ),
            (
                "Baju hazmat medis",
                "14112",
                "potong",
                95_000,
                "Abang Jaya",
                False,
                30.0,
                2,
                "rejected",
                False,
            ),
        ),
    ),
    DemoVendor(
        "alkes",
        "PT Alat Kesehatan Bogor Raya",
        LegalForm.PT,
        "Kabupaten Bogor",
        "Jawa Barat",
        VendorStatus.VERIFIED,
        "Dian Permatasari",
        ("32501", "32502"),
        capital=8_000 * MILLION,
        annual_sales=38_000 * MILLION,
        products=(
            (
                "Tempat tidur pasien tiga engkol",
                "32502",
                "unit",
                14_500_000,
                "Bogor Medika",
                False,
                43.6,
                15,
                "verified",
                False,
            ),
            (
                "Kursi roda standar",
                "32502",
                "unit",
                2_150_000,
                "Bogor Medika",
                False,
                27.8,
                5,
                "verified",
                False,
            ),
            (
                "Masker medis 3 lapis",
                "32501",
                "kotak",
                38_000,
                "Bogor Medika",
                False,
                19.5,
                0,
                "expired",
                False,
            ),
        ),
    ),
    DemoVendor(
        "roti",
        "CV Roti Unyil Bogor Sejahtera",
        LegalForm.CV,
        "Kota Bogor",
        "Jawa Barat",
        VendorStatus.PENDING,
        "Eko Prasetyo",
        ("10710",),
        capital=350 * MILLION,
        products=(
            (
                "Roti unyil aneka rasa",
                "10710",
                "kotak",
                30_000,
                "Unyil Sejahtera",
                True,
                None,
                0,
                None,
                False,
            ),
        ),
    ),
    DemoVendor(
        "kemasan",
        "PT Kemasan Plastik Tangerang Mandiri",
        LegalForm.PT,
        "Kota Tangerang",
        "Banten",
        VendorStatus.VERIFIED,
        "Wahyu Nugroho",
        ("22220",),
        capital=12_000 * MILLION,
        annual_sales=64_000 * MILLION,
        products=(
            (
                "Wadah makanan plastik food grade",
                "22220",
                "pak",
                42_000,
                "Tangmas",
                False,
                35.2,
                7,
                "verified",
                False,
            ),
        ),
    ),
    DemoVendor(
        "kopi",
        "CV Kopi Nusantara Serpong",
        LegalForm.CV,
        "Kota Tangerang Selatan",
        "Banten",
        VendorStatus.REJECTED,
        "Ratna Sari",
        ("10761",),
        capital=900 * MILLION,
        rejection_reason="NIB pada dokumen yang diunggah tidak sesuai dengan nama usaha. "
        "Periksa lagi NIB di OSS.",
        products=(
            (
                "Kopi robusta bubuk",
                "10761",
                "kg",
                140_000,
                "Serpong Brew",
                True,
                None,
                0,
                None,
                False,
            ),
        ),
    ),
    DemoVendor(
        "tas",
        "PT Tas dan Kulit Tanggulangin",
        LegalForm.PT,
        "Kabupaten Sidoarjo",
        "Jawa Timur",
        VendorStatus.VERIFIED,
        "Slamet Riyadi",
        ("15121",),
        capital=2_600 * MILLION,
        annual_sales=14_000 * MILLION,
        products=(
            (
                "Tas kerja kulit sapi ASN",
                "15121",
                "buah",
                650_000,
                "Tanggulangin",
                False,
                67.4,
                11,
                "verified",
                False,
            ),
        ),
    ),
    DemoVendor(
        "udang",
        "CV Kerupuk Udang Sidoarjo",
        LegalForm.CV,
        "Kabupaten Sidoarjo",
        "Jawa Timur",
        VendorStatus.VERIFIED,
        "Endang Susilowati",
        ("10213", "10799"),
        capital=700 * MILLION,
        annual_sales=1_900 * MILLION,
        products=(
            (
                "Kerupuk udang premium",
                "10799",
                "kg",
                85_000,
                "Sari Laut",
                True,
                58.9,
                8,
                "verified",
                True,
            ),
            ("Petis udang", "10213", "botol", 27_500, "Sari Laut", True, 12.4, 0, "verified", True),
        ),
    ),
    DemoVendor(
        "lidahbuaya",
        "UD Lidah Buaya Khatulistiwa",
        LegalForm.PERORANGAN,
        "Kota Pontianak",
        "Kalimantan Barat",
        VendorStatus.VERIFIED,
        "Hendrik Wijaya",
        ("11040",),
        capital=150 * MILLION,
        annual_sales=650 * MILLION,
        products=(
            (
                "Minuman lidah buaya dalam kemasan",
                "11040",
                "karton",
                96_000,
                "Khatulistiwa",
                True,
                81.0,
                6,
                "verified",
                False,
            ),
        ),
    ),
    DemoVendor(
        "garmen",
        "CV Garmen Cakung Mandiri",
        LegalForm.CV,
        "Kota Jakarta Timur",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Yanti Kusumawati",
        ("14111",),
        capital=600 * MILLION,
        annual_sales=3_100 * MILLION,
        products=(
            (
                "Seragam olahraga SMP katun",
                "14111",
                "stel",
                255_000,
                "Cakung Mandiri",
                False,
                44.0,
                5,
                "verified",
                False,
            ),
            (
                "Topi sekolah bordir",
                "14111",
                "buah",
                45_000,
                "Cakung Mandiri",
                False,
                40.0,
                5,
                "verified",
                False,
            ),
        ),
    ),
    # Blacklisted after it bid (seeding.demo_procurement: its bid falls at evaluation).
    DemoVendor(
        "kaos",
        "CV Kaos Olahraga Ciracas",
        LegalForm.CV,
        "Kota Jakarta Timur",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Bambang Sutrisno",
        ("14111",),
        capital=450 * MILLION,
        annual_sales=2_300 * MILLION,
        products=(
            (
                "Kaos olahraga SD katun",
                "14111",
                "potong",
                80_000,
                "Ciracas Sport",
                False,
                62.0,
                8,
                "verified",
                False,
            ),
        ),
    ),
]


def _npwp(index: int, *, valid: bool = True) -> str:
    """A legacy 15-digit NPWP whose 9th digit is (or, for the demo of the warning, is not)
    the Luhn check digit of the first eight."""
    base = f"{10 + index:02d}{(index * 73421) % 1_000_000:06d}"
    check = rules.luhn_check_digit(base)
    return f"{base}{check if valid else (check + 1) % 10}073000"


def _vendor(demo: DemoVendor, index: int) -> Vendor:
    vendor = Vendor.objects.filter(name=demo.name).first() or Vendor(name=demo.name)
    capital = Decimal(demo.capital)
    sales = Decimal(demo.annual_sales) if demo.annual_sales is not None else None
    valid_npwp = demo.key != "roti"  # one vendor shows the confirmed check-digit warning
    vendor.legal_form = demo.legal_form
    vendor.nib = f"9120{index:09d}"
    vendor.npwp = _npwp(index, valid=valid_npwp)
    vendor.npwp_check_digit_confirmed = not valid_npwp
    vendor.kbli_codes = list(demo.kbli)
    vendor.address = f"Jl. Usaha Mandiri No. {index * 7}"
    vendor.city = demo.city
    vendor.province = demo.province
    vendor.phone = f"0812-{1000 + index * 37:04d}-{2000 + index * 53:04d}"
    vendor.capital = capital
    vendor.annual_sales = sales
    vendor.scale = rules.business_scale(capital=capital, annual_sales=sales)
    vendor.scale_basis = rules.scale_basis(capital=capital, annual_sales=sales)
    vendor.status = demo.status
    vendor.rejection_reason = demo.rejection_reason
    verified = demo.status == VendorStatus.VERIFIED
    vendor.verified_at = (vendor.verified_at or timezone.now()) if verified else None
    vendor.save()
    return vendor


def _product(vendor: Vendor, demo: DemoProduct, *, serial: int, today, verifier: User) -> None:
    name, kbli, unit, price, brand, is_food, tkdn, bmp, state, halal = demo
    product, _ = Product.objects.update_or_create(
        vendor=vendor,
        name=name,
        defaults={
            "kbli": kbli,
            "unit": unit,
            "unit_price": Decimal(price),
            "brand": brand,
            "is_food": is_food,
            "description": f"{name} buatan {vendor.name}, {vendor.city}.",
            "specification": f"Merek {brand}; satuan {unit}.",
        },
    )
    if tkdn is not None:
        issued = today - timedelta(days=400)
        expires = issued + timedelta(days=3 * 365)
        status = CertificateStatus.VERIFIED if state in ("verified", "expiring") else state
        if state == "expiring":
            expires = today + timedelta(days=20)
        elif state == "expired":
            issued, expires = today - timedelta(days=3 * 365 + 10), today - timedelta(days=10)
        certificate, created = TKDNCertificate.objects.get_or_create(
            number=f"{serial}/SJ-IND.8/TKDN/{issued.month}/{issued.year}",
            defaults={
                "vendor": vendor,
                "tkdn_pct": Decimal(str(tkdn)),
                "bmp_pct": Decimal(str(bmp)),
                "issued_on": issued,
                "expires_on": expires,
                "basis": TKDNBasis.SELF_DECLARED if vendor.is_umk and serial % 2 else TKDNBasis.LVI,
                "status": status,
                "rejection_reason": "Nilai TKDN pada berkas berbeda dengan yang diisi."
                if state == "rejected"
                else "",
                "verified_at": timezone.now() if status != CertificateStatus.PENDING else None,
                "verified_by": verifier if status != CertificateStatus.PENDING else None,
                "file": ContentFile(DEMO_PDF, name="sertifikat.pdf"),
            },
        )
        if created:
            certificate.products.set([product])
    if halal:
        certificate, created = HalalCertificate.objects.get_or_create(
            number=f"ID31710000{serial:06d}24",
            defaults={
                "vendor": vendor,
                "scheme": HalalScheme.SELF_DECLARE if vendor.is_umk else HalalScheme.REGULER,
                "issued_on": today - timedelta(days=200),
                "status": CertificateStatus.VERIFIED,
                "verified_at": timezone.now(),
                "verified_by": verifier,
                "file": ContentFile(DEMO_PDF, name="halal.pdf"),
            },
        )
        if created:
            certificate.products.set([product])


def _halal_assistance(key: str, status: str, assistant: User, today) -> None:
    """An assisted halal registration for the first food product of a demo vendor."""
    demo = next(d for d in VENDORS if d.key == key)
    vendor = Vendor.objects.get(name=demo.name)
    product = vendor.products.filter(is_food=True).order_by("pk").first()
    assistance, created = HalalAssistance.objects.get_or_create(
        vendor=vendor,
        defaults={
            "scheme": HalalScheme.SELF_DECLARE,
            "status": status,
            "assistant": assistant,
            "submitted_on": today - timedelta(days=21),
            "reviewed_on": today - timedelta(days=7)
            if status != AssistanceStatus.SUBMITTED
            else None,
            "sihalal_reference": f"SH2026-{vendor.pk:05d}",
            "notes": "Pendampingan PPH oleh Dinas PPKUKM; bahan baku sudah bersertifikat halal.",
        },
    )
    if created and product is not None:
        assistance.products.set([product])


# A one-page PDF saying what it is, stored as every demo certificate's file.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 420 200]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 62>>stream\nBT /F1 16 Tf 30 100 Td (Contoh sertifikat - data demo) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _admin_device(admin: User) -> TOTPDevice:
    """The demo admin signs in with a code from ADMIN_TOTP_KEY (`make run` prints it)."""
    device, _ = TOTPDevice.objects.update_or_create(
        user=admin,
        name="Demo",
        defaults={"key": b32decode(ADMIN_TOTP_KEY).hex(), "confirmed": True},
    )
    return device


def admin_totp_uri() -> str:
    """The otpauth:// URI of the demo admin's key, for apps that take a link."""
    return TOTPDevice.objects.get(user__email=_email("admin"), name="Demo").config_url


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _user(email: str, full_name: str, **fields: object) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, DEMO_PASSWORD, full_name=full_name, email_verified_at=timezone.now(), **fields
        )
    return user


@transaction.atomic
def load() -> dict[str, str]:
    """Load (or refresh) the demo data; returns one demo login per role."""
    admin = _user(_email("admin"), "Sri Wahyuni, S.E., M.M.", is_staff=True)
    admin.groups.add(account_services.admin_group_ensure())
    _admin_device(admin)

    opds = {}
    for code, name, short in OPDS:
        opds[short], _ = OPD.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short}
        )
    for local, full_name, opd_short, position in OFFICERS:
        user = _user(_email(local), full_name)
        Officer.objects.update_or_create(
            user=user, defaults={"opd": opds[opd_short], "position": position}
        )

    today = timezone.localdate()
    for index, demo in enumerate(VENDORS, start=1):
        vendor = _vendor(demo, index)
        owner = _user(_email(demo.key), demo.owner)
        VendorMember.objects.update_or_create(
            user=owner, defaults={"vendor": vendor, "role": MemberRole.OWNER}
        )
        for number, staff_name in enumerate(demo.staff, start=1):
            staff = _user(_email(f"{demo.key}.staf{number}"), staff_name)
            VendorMember.objects.update_or_create(
                user=staff, defaults={"vendor": vendor, "role": MemberRole.STAFF}
            )
        for number, product in enumerate(demo.products, start=1):
            _product(vendor, product, serial=index * 100 + number, today=today, verifier=admin)

    demo_procurement.load()
    demo_contracts.load()  # after the packages: their contracts
    demo_payments.load()  # after the BASTs: invoices and payments
    demo_matching.load()  # after the packages: outcomes link to them
    _halal_assistance("roti", AssistanceStatus.SUBMITTED, admin, today)
    _halal_assistance("kerupuk", AssistanceStatus.UNDER_REVIEW, admin, today)
    _halal_assistance("kopi", AssistanceStatus.NEEDS_REVISION, admin, today)

    return {
        "Admin Dinas PPKUKM": admin.email,
        "Pejabat OPD (PPK Dinas Pendidikan)": _email("ppk.disdik"),
        "Penyedia UMKM (CV Batik Betawi Nusantara, terverifikasi)": _email("batik"),
        "Penyedia UMKM (UD Kerupuk Kulit Condet, menunggu verifikasi)": _email("kerupuk"),
        "Penyedia UMKM (PT Sinar Mebel Cakung, penawaran dan temu bisnis)": _email("mebel"),
        "Pokja pemilihan (Dinas Pendidikan)": _email("pokja.disdik"),
        "Bendahara (Dinas PPKUKM, tagihan dan pembayaran)": _email("bendahara.ppkukm"),
    }
