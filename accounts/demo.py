"""Demo data: OPDs and their officers, UMKM vendors from Jakarta and beyond, and an admin.
Loading twice changes nothing; demo users keep any password they were given since."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from procurement.models import OPD, Officer, Position
from vendors.models import LegalForm, MemberRole, Vendor, VendorMember, VendorStatus

DEMO_PASSWORD = "demo-p3dn-2026"
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
    ("ppk.binamarga", "Andi Wijaya, S.T., M.T.", "Bina Marga", Position.PPK),
]


@dataclass(frozen=True)
class DemoVendor:
    key: str
    name: str
    legal_form: str
    city: str
    province: str
    status: str
    owner: str
    staff: tuple[str, ...] = ()


VENDORS = [
    DemoVendor(
        "batik",
        "CV Batik Betawi Nusantara",
        LegalForm.CV,
        "Kota Jakarta Barat",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Siti Rahmawati",
        ("Ahmad Fauzi",),
    ),
    DemoVendor(
        "mebel",
        "PT Sinar Mebel Cakung",
        LegalForm.PT,
        "Kota Jakarta Timur",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Budi Santoso",
    ),
    DemoVendor(
        "tahu",
        "Koperasi Produsen Tahu Tempe Semanggi",
        LegalForm.KOPERASI,
        "Kota Jakarta Selatan",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Haji Mulyadi",
    ),
    DemoVendor(
        "kerupuk",
        "UD Kerupuk Kulit Condet",
        LegalForm.PERORANGAN,
        "Kota Jakarta Timur",
        "DKI Jakarta",
        VendorStatus.PENDING,
        "Nurul Aini",
    ),
    DemoVendor(
        "seragam",
        "CV Konveksi Seragam Tanah Abang",
        LegalForm.CV,
        "Kota Jakarta Pusat",
        "DKI Jakarta",
        VendorStatus.VERIFIED,
        "Rudi Hartono",
        ("Lina Marlina",),
    ),
    DemoVendor(
        "alkes",
        "PT Alat Kesehatan Bogor Raya",
        LegalForm.PT,
        "Kabupaten Bogor",
        "Jawa Barat",
        VendorStatus.VERIFIED,
        "Dian Permatasari",
    ),
    DemoVendor(
        "roti",
        "CV Roti Unyil Bogor Sejahtera",
        LegalForm.CV,
        "Kota Bogor",
        "Jawa Barat",
        VendorStatus.PENDING,
        "Eko Prasetyo",
    ),
    DemoVendor(
        "kemasan",
        "PT Kemasan Plastik Tangerang Mandiri",
        LegalForm.PT,
        "Kota Tangerang",
        "Banten",
        VendorStatus.VERIFIED,
        "Wahyu Nugroho",
    ),
    DemoVendor(
        "kopi",
        "CV Kopi Nusantara Serpong",
        LegalForm.CV,
        "Kota Tangerang Selatan",
        "Banten",
        VendorStatus.REJECTED,
        "Ratna Sari",
    ),
    DemoVendor(
        "tas",
        "PT Tas dan Kulit Tanggulangin",
        LegalForm.PT,
        "Kabupaten Sidoarjo",
        "Jawa Timur",
        VendorStatus.VERIFIED,
        "Slamet Riyadi",
    ),
    DemoVendor(
        "udang",
        "CV Kerupuk Udang Sidoarjo",
        LegalForm.CV,
        "Kabupaten Sidoarjo",
        "Jawa Timur",
        VendorStatus.VERIFIED,
        "Endang Susilowati",
    ),
    DemoVendor(
        "lidahbuaya",
        "UD Lidah Buaya Khatulistiwa",
        LegalForm.PERORANGAN,
        "Kota Pontianak",
        "Kalimantan Barat",
        VendorStatus.VERIFIED,
        "Hendrik Wijaya",
    ),
]


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _user(email: str, full_name: str, **fields: object) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name, **fields)
    return user


@transaction.atomic
def load() -> dict[str, str]:
    """Load (or refresh) the demo data; returns one demo login per role."""
    admin = _user(_email("admin"), "Sri Wahyuni, S.E., M.M.", is_staff=True)
    admin.groups.add(account_services.admin_group_ensure())

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

    now = timezone.now()
    for demo in VENDORS:
        vendor = Vendor.objects.filter(name=demo.name).first() or Vendor(name=demo.name)
        vendor.legal_form = demo.legal_form
        vendor.city = demo.city
        vendor.province = demo.province
        vendor.status = demo.status
        verified = demo.status == VendorStatus.VERIFIED
        vendor.verified_at = (vendor.verified_at or now) if verified else None
        vendor.save()
        owner = _user(_email(demo.key), demo.owner)
        VendorMember.objects.update_or_create(
            user=owner, defaults={"vendor": vendor, "role": MemberRole.OWNER}
        )
        for index, staff_name in enumerate(demo.staff, start=1):
            staff = _user(_email(f"{demo.key}.staf{index}"), staff_name)
            VendorMember.objects.update_or_create(
                user=staff, defaults={"vendor": vendor, "role": MemberRole.STAFF}
            )

    return {
        "Admin Dinas PPKUKM": admin.email,
        "Pejabat OPD (PPK Dinas Pendidikan)": _email("ppk.disdik"),
        "Penyedia UMKM (CV Batik Betawi Nusantara, terverifikasi)": _email("batik"),
        "Penyedia UMKM (UD Kerupuk Kulit Condet, menunggu verifikasi)": _email("kerupuk"),
    }
