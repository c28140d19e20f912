"""Bench data at production scale: a quarter of a million UMKM vendors with their products
and certificates, three fiscal years of packages with bids and evaluations, and one large
business-matching event waiting for its scheduler run.

Rows are made in Python with their ids assigned here, so parents and children link without
round trips, and streamed into PostgreSQL with COPY. Everything happens in one transaction;
foreign keys are checked in bulk after loading (one anti-join per key) instead of row by row.
The well-known fixtures a benchmark looks up are listed by manifest()."""

import json
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from accounts.models import User
from matching import rules as matching_rules
from matching.models import (
    Event,
    EventBreak,
    EventDay,
    Meeting,
    MeetingStatus,
    Need,
    Participant,
    ParticipantKind,
    ParticipantStatus,
    RequestedBy,
    Slot,
)
from matching.rules import EventStatus
from procurement import evaluation, sealing
from procurement import rules as procurement_rules
from procurement import services as procurement_services
from procurement.models import (
    OPD,
    Bid,
    BidLine,
    BidStatus,
    EvaluationResult,
    EvaluationRun,
    Officer,
    Package,
    PackageEvent,
    PackageItem,
    Position,
    RunStatus,
)
from procurement.rules import Action, Category, Method, Status
from seeding import scale_contracts
from vendors import rules as vendor_rules
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

DOMAIN = "scale.p3dn.id"
PASSWORD = "bench-p3dn-2026"  # bench data, not a secret: every scale user has it
ADMIN_EMAIL = f"admin@{DOMAIN}"
BENCH_OFFICER_EMAIL = f"bench.officer@{DOMAIN}"
BENCH_VENDOR_EMAIL = f"bench.vendor@{DOMAIN}"
BENCH_VENDOR_NAME = "CV Bench Nusantara Makmur"
HOT_RUP_CODE = "BENCH-HOT"
EVAL_RUP_CODE = "BENCH-EVAL"
EVENT_NAME = "Business Matching P3DN Batch Skala 2026"
WIB = ZoneInfo("Asia/Jakarta")
CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Sizes:
    vendors: int = 250_000
    products: int = 1_000_000
    tkdn: int = 300_000
    packages: int = 60_000
    bids: int = 500_000
    participants: int = 2_000
    requests: int = 10_000
    hot_bids: int = 500
    eval_bids: int = 5_000
    eval_items: int = 20
    bench_vendor_bids: int = 200
    opds: int = 40

    def small(self) -> "Sizes":
        """Every size divided by 100, the named fixtures kept usable (for CI)."""
        return replace(
            self,
            vendors=self.vendors // 100,
            products=self.products // 100,
            tkdn=self.tkdn // 100,
            packages=self.packages // 100,
            bids=self.bids // 100,
            participants=200,
            requests=1_000,
            hot_bids=50,
            eval_bids=100,
            eval_items=5,
            bench_vendor_bids=20,
        )


def manifest() -> dict:
    """The ids and emails of the well-known fixtures, read from the database."""
    officer = User.objects.get(email=BENCH_OFFICER_EMAIL)
    vendor_user = User.objects.select_related("vendor_membership").get(email=BENCH_VENDOR_EMAIL)
    opd_id = officer.officer.opd_id
    return {
        "password": PASSWORD,
        "admin_email": ADMIN_EMAIL,
        "officer_email": BENCH_OFFICER_EMAIL,
        "officer_user_id": officer.pk,
        "vendor_email": BENCH_VENDOR_EMAIL,
        "vendor_user_id": vendor_user.pk,
        "vendor_id": vendor_user.vendor_membership.vendor_id,
        "hot_package_id": Package.objects.get(opd_id=opd_id, rup_code=HOT_RUP_CODE).pk,
        "eval_package_id": Package.objects.get(opd_id=opd_id, rup_code=EVAL_RUP_CODE).pk,
        "event_id": Event.objects.get(name=EVENT_NAME).pk,
    }


# Word lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A line of the catalogue: what UMKM make under one KBLI and what OPDs buy of it."""

    kbli: str
    category: str
    unit: str
    low: int  # unit price range, Rupiah
    high: int
    food: bool
    names: tuple[str, ...]
    package: str  # package title stem


CATALOGUE = (
    Line("10792", Category.GOODS, "kg", 12_000, 40_000, True,
         ("Tempe kedelai lokal", "Tahu putih", "Tahu bumbu kuning"), "Bahan makanan bergizi"),
    Line("10710", Category.GOODS, "bungkus", 5_000, 60_000, True,
         ("Roti tawar gandum", "Roti manis isi", "Bolu pandan"), "Makanan ringan rapat"),
    Line("10799", Category.GOODS, "kg", 40_000, 150_000, True,
         ("Kerupuk udang", "Keripik singkong balado", "Rengginang ketan"), "Makanan olahan"),
    Line("11040", Category.GOODS, "karton", 30_000, 120_000, True,
         ("Air minum dalam kemasan 600 ml", "Sari kacang hijau", "Teh melati siap minum"),
         "Minuman kemasan kegiatan"),
    Line("13134", Category.GOODS, "lembar", 150_000, 900_000, False,
         ("Kain batik Betawi tulis", "Kain batik cap ondel-ondel", "Kain tenun songket"),
         "Kain batik Betawi"),
    Line("14111", Category.GOODS, "potong", 120_000, 450_000, False,
         ("Seragam batik ASN", "Seragam sekolah SD putih merah", "Kemeja dinas lapangan",
          "Rompi petugas PPSU"), "Seragam dan pakaian dinas"),
    Line("15121", Category.GOODS, "buah", 150_000, 1_500_000, False,
         ("Tas kerja kulit", "Tas ransel sekolah", "Dompet kulit"), "Tas dan perlengkapan"),
    Line("15201", Category.GOODS, "pasang", 150_000, 800_000, False,
         ("Sepatu pantofel kulit", "Sepatu kerja safety", "Sandal kulit"), "Sepatu dinas"),
    Line("17022", Category.GOODS, "rim", 35_000, 75_000, False,
         ("Kertas HVS A4 70 gsm", "Kertas F4 80 gsm", "Map arsip kertas"), "Alat tulis kantor"),
    Line("18111", Category.GOODS, "eksemplar", 10_000, 150_000, False,
         ("Cetak buku pelajaran", "Cetak brosur layanan publik", "Cetak kalender dinas"),
         "Barang cetakan"),
    Line("20231", Category.GOODS, "liter", 15_000, 90_000, False,
         ("Sabun cuci tangan cair", "Cairan pembersih lantai", "Disinfektan serbaguna"),
         "Bahan kebersihan"),
    Line("22220", Category.GOODS, "buah", 10_000, 400_000, False,
         ("Tempat sampah terpilah", "Kursi plastik lipat", "Ember plastik 20 liter"),
         "Perlengkapan plastik"),
    Line("25992", Category.GOODS, "unit", 300_000, 6_000_000, False,
         ("Lemari arsip besi", "Rak besi serbaguna", "Pagar besi panel"), "Perabot logam"),
    Line("31001", Category.GOODS, "unit", 400_000, 5_000_000, False,
         ("Meja belajar siswa", "Kursi kuliah lipat", "Meja kerja kantor", "Lemari buku kayu"),
         "Meja dan kursi"),
    Line("32502", Category.GOODS, "unit", 1_500_000, 25_000_000, False,
         ("Tempat tidur pasien", "Kursi roda standar", "Brankar pasien"), "Alat kesehatan"),
    Line("32501", Category.GOODS, "kotak", 20_000, 200_000, False,
         ("Masker medis 3 lapis", "Sarung tangan medis", "Kasa steril"), "Bahan medis habis pakai"),
    Line("27400", Category.GOODS, "unit", 100_000, 5_000_000, False,
         ("Lampu LED jalan", "Lampu penerangan taman", "Lampu sorot gedung"), "Lampu penerangan"),
    Line("26201", Category.GOODS, "unit", 4_000_000, 20_000_000, False,
         ("Komputer desktop rakitan lokal", "Laptop pendidikan", "Tablet sekolah"),
         "Perangkat komputer"),
    Line("32909", Category.GOODS, "buah", 25_000, 500_000, False,
         ("Kerajinan anyaman pandan", "Cenderamata ondel-ondel", "Plakat kayu ukir"),
         "Cenderamata dan kerajinan"),
    Line("41011", Category.CONSTRUCTION, "paket", 50_000_000, 900_000_000, False,
         ("Rehabilitasi ringan gedung", "Pembangunan saluran air", "Perbaikan atap gedung"),
         "Pekerjaan rehabilitasi"),
    Line("71102", Category.CONSULTANCY, "paket", 20_000_000, 400_000_000, False,
         ("Jasa perencanaan teknis", "Jasa pengawasan konstruksi", "Kajian teknis"),
         "Jasa konsultansi"),
    Line("81210", Category.OTHER_SERVICES, "bulan", 15_000_000, 120_000_000, False,
         ("Jasa kebersihan gedung", "Jasa pemeliharaan taman", "Jasa pengamanan gedung"),
         "Jasa layanan gedung"),
)  # fmt: skip
GOODS_LINES = [n for n, line in enumerate(CATALOGUE) if line.category == Category.GOODS]

FIRST_NAMES = [
    "Budi",
    "Siti",
    "Agus",
    "Dewi",
    "Rina",
    "Hendra",
    "Yusuf",
    "Fitri",
    "Andi",
    "Lestari",
    "Bambang",
    "Sri",
    "Joko",
    "Wahyu",
    "Nur",
    "Rizky",
    "Putri",
    "Dian",
    "Eko",
    "Ahmad",
    "Maria",
    "Teguh",
    "Lusiana",
    "Taufik",
    "Mulyadi",
    "Ratna",
    "Indah",
    "Fajar",
    "Adi",
    "Ayu",
    "Yohanes",
    "Made",
    "Ketut",
    "Slamet",
    "Yanti",
    "Hasan",
    "Ibrahim",
    "Kartini",
    "Samsul",
    "Wulan",
]
LAST_NAMES = [
    "Santoso",
    "Rahmawati",
    "Setiawan",
    "Lestari",
    "Kartikasari",
    "Gunawan",
    "Hidayat",
    "Handayani",
    "Wijaya",
    "Prasetyo",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Saputra",
    "Kurniawan",
    "Susanto",
    "Purnomo",
    "Hakim",
    "Pratama",
    "Permana",
    "Harahap",
    "Wibowo",
    "Suryanto",
    "Rahman",
    "Fauzi",
    "Sitompul",
    "Tanjung",
    "Halim",
    "Manurung",
    "Lubis",
]
NAME_WORDS = [
    "Sinar",
    "Jaya",
    "Makmur",
    "Sentosa",
    "Abadi",
    "Mandiri",
    "Berkah",
    "Karya",
    "Mitra",
    "Sejahtera",
    "Nusantara",
    "Cahaya",
    "Bintang",
    "Putra",
    "Prima",
    "Utama",
    "Lestari",
    "Harapan",
    "Bumi",
    "Citra",
    "Sumber",
    "Tunas",
    "Maju",
    "Bersama",
    "Anugerah",
    "Gemilang",
    "Kencana",
    "Mulia",
    "Indah",
    "Surya",
]
TRADE_WORDS = [
    "Mebel",
    "Batik",
    "Pangan",
    "Tekstil",
    "Kriya",
    "Boga",
    "Kemasan",
    "Medika",
    "Grafika",
    "Teknik",
    "Busana",
    "Kulit",
    "Logam",
    "Plastindo",
    "Elektrika",
    "Konveksi",
    "Niaga",
    "Usaha",
    "Sarana",
    "Kreasi",
]
AREAS = [
    "Cakung",
    "Tanah Abang",
    "Kemayoran",
    "Pulogadung",
    "Cilincing",
    "Kebayoran",
    "Menteng",
    "Matraman",
    "Cengkareng",
    "Kalideres",
    "Pasar Rebo",
    "Cipayung",
    "Tebet",
    "Senen",
    "Grogol",
    "Koja",
    "Tambora",
    "Jatinegara",
    "Pademangan",
    "Mampang",
]
STREETS = [
    "Raya Bekasi",
    "Kramat Raya",
    "Gatot Subroto",
    "Daan Mogot",
    "Pemuda",
    "Kalimalang",
    "Fatmawati",
]
CITIES = (
    ("Kota Jakarta Pusat", 12),
    ("Kota Jakarta Utara", 18),
    ("Kota Jakarta Barat", 22),
    ("Kota Jakarta Selatan", 22),
    ("Kota Jakarta Timur", 25),
    ("Kabupaten Administrasi Kepulauan Seribu", 1),
)
LEGAL_FORMS = (
    (LegalForm.CV, "CV", 35),
    (LegalForm.PT, "PT", 20),
    (LegalForm.PERORANGAN, "UD", 35),
    (LegalForm.KOPERASI, "Koperasi", 7),
    (LegalForm.FIRMA, "Firma", 3),
)
OPD_NAMES = [
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah",
    "Dinas Bina Marga",
    "Dinas Sumber Daya Air",
    "Dinas Lingkungan Hidup",
    "Dinas Perhubungan",
    "Dinas Sosial",
    "Dinas Pertamanan dan Hutan Kota",
    "Dinas Pemuda dan Olahraga",
    "Dinas Kebudayaan",
    "Dinas Pariwisata dan Ekonomi Kreatif",
    "Dinas Perpustakaan dan Kearsipan",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Cipta Karya, Tata Ruang dan Pertanahan",
    "Dinas Perumahan Rakyat dan Kawasan Permukiman",
    "Dinas Tenaga Kerja, Transmigrasi dan Energi",
    "Dinas Ketahanan Pangan, Kelautan dan Pertanian",
    "Dinas Komunikasi, Informatika dan Statistik",
    "Dinas Penanggulangan Kebakaran dan Penyelamatan",
    "Dinas Pemberdayaan, Perlindungan Anak dan Pengendalian Penduduk",
    "Satuan Polisi Pamong Praja",
    "Badan Penanggulangan Bencana Daerah",
    "Badan Pendapatan Daerah",
    "Badan Pengelola Aset Daerah",
    "Badan Kepegawaian Daerah",
    "Badan Perencanaan Pembangunan Daerah",
    "Inspektorat",
    "Biro Umum dan Administrasi Sekretariat Daerah",
    "Sekretariat DPRD",
    "RSUD Tarakan",
    "RSUD Pasar Minggu",
    "RSUD Koja",
    "RSUD Cengkareng",
    "RSUD Budhi Asih",
    "RSUD Duren Sawit",
    "RSUD Kebayoran Baru",
    "RSUD Tanah Abang",
    "Kota Administrasi Jakarta Timur",
    "Kota Administrasi Jakarta Selatan",
]
POSITIONS = (Position.PPK, Position.POKJA, Position.PEJABAT_PENGADAAN, Position.KPA, Position.PPTK)
CANCEL_REASONS = (
    "Kebutuhan sudah dipenuhi dari stok gudang.",
    "Anggaran kegiatan dialihkan untuk penanganan banjir.",
    "Spesifikasi teknis perlu disusun ulang.",
)
FAIL_REASON = "Tidak ada penawaran yang masuk sampai batas akhir penawaran."


def _short(name: str) -> str:
    """A short name as OPDs write them: Dinas Pendidikan -> Disdik-like initials."""
    if name.startswith(("RSUD", "Kota")):
        return name.replace("Kota Administrasi ", "Kota ")[:30]
    words = [w for w in name.replace(",", "").split() if w[0].isupper()]
    return "".join(w[0] for w in words)[:30]


# Loading -------------------------------------------------------------------------------------


def _columns(model: type[models.Model], names: list[str]) -> list[str]:
    """The table columns of the named fields; refuses a list that leaves out a required one."""
    required = {
        f.name
        for f in model._meta.concrete_fields
        if not f.null and not f.primary_key and not f.generated
    }
    missing = required - set(names)
    if missing:
        raise AssertionError(f"{model.__name__}: no value for {sorted(missing)}")
    return [model._meta.get_field(name).column for name in names]


class Loader:
    """Streams rows into tables with COPY and reports each table's count and time."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self.report = report
        self.counts: dict[str, int] = {}
        self.raw = connection.connection

    def copy(self, model, names: list[str], rows: Iterable[tuple], label: str = "") -> int:
        table = model._meta.db_table
        columns = ", ".join(f'"{c}"' for c in ["id", *_columns(model, names)])
        started = time.monotonic()
        count = 0
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        self.counts[table] = self.counts.get(table, 0) + count
        seconds = time.monotonic() - started
        self.report(f"  {label or table:<40} {count:>10,} rows {seconds:7.1f} s")
        return count

    def link(self, through, left: str, right: str, pairs: Iterable[tuple[int, int]]) -> int:
        """An m2m table: (left id, right id) pairs, ids numbered here."""
        rows = ((n, a, b) for n, (a, b) in enumerate(pairs, 1))
        return self.copy(through, [left, right], rows)


# Dates ---------------------------------------------------------------------------------------


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), WIB).astimezone(UTC)


def _money(amount: float, step: int = 100) -> Decimal:
    return Decimal(max(step, round(amount / step) * step))


# The seeder ----------------------------------------------------------------------------------


@dataclass
class Cert:
    number: str
    tkdn: Decimal
    bmp: Decimal
    issued: date
    expires: date
    status: str


@dataclass
class Pkg:
    """A package as generated, with what its bids need to know."""

    id: int
    opd: int
    line: Line
    status: str
    opens_at: datetime
    closes_at: datetime
    reserved: bool
    min_tkdn: Decimal | None
    halal: bool
    hps: Decimal
    category: str
    pdn: bool
    preference: Decimal
    items: list[tuple[int, Decimal, Decimal]] = field(default_factory=list)  # id, qty, price
    bidders: int = 0


class Seeder:
    def __init__(self, sizes: Sizes, seed: int, report: Callable[[str], None]) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.report = report
        self.load = Loader(report)
        self.today = datetime.now(WIB).date()
        self.now = _at(self.today, 10)
        self.password = make_password(PASSWORD)
        self.events: list[tuple] = []

    # People ----------------------------------------------------------------------------

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def opds_and_officers(self) -> None:
        """OPDs, each with enough officers for the event's buyers; user 1 is the admin."""
        sizes = self.sizes
        buyers = sizes.participants * 4 // 5
        per_opd = max(6, math.ceil(buyers * 1.15 / sizes.opds))
        names = OPD_NAMES[: sizes.opds]
        self.opd_ids = list(range(1, len(names) + 1))
        self.opd_short = {n: _short(name) for n, name in zip(self.opd_ids, names, strict=True)}
        self.load.copy(
            OPD,
            ["code", "name", "short_name", "payment_target_days"],
            (
                (n, f"{n // 10 + 1}.{n % 10 + 1:02d}.01", name, self.opd_short[n], 15)
                for n, name in zip(self.opd_ids, names, strict=True)
            ),
        )
        users = [(1, ADMIN_EMAIL, "Admin Dinas PPKUKM (bench)", True)]
        officers = []
        self.ppk_of: dict[int, int] = {}
        self.officers: list[tuple[int, int, int]] = []  # officer id, user id, OPD id
        for opd in self.opd_ids:
            for k in range(per_opd):
                user_id = len(users) + 1
                position = POSITIONS[k] if k < len(POSITIONS) else self.rng.choice(POSITIONS)
                if opd == 1 and k == 0:
                    email = BENCH_OFFICER_EMAIL
                else:
                    email = f"{position.replace('_', '')}.{opd}.{k}@{DOMAIN}"
                users.append((user_id, email, self.person(), False))
                officers.append((len(officers) + 1, user_id, opd, position))
                self.officers.append((len(officers), user_id, opd))
                if k == 0:
                    self.ppk_of[opd] = user_id
        self.users = users
        self.officer_rows = officers

    def users_rows(self, vendor_owners: Iterable[tuple[int, str, str]]) -> Iterable[tuple]:
        joined = self.now - timedelta(days=900)
        for user_id, email, name, staff in self.users:
            yield (user_id, self.password, email, name, "", "id", True, staff, staff, joined,
                   joined, joined)  # fmt: skip
        for user_id, email, name in vendor_owners:
            at = joined + timedelta(minutes=user_id)
            yield (user_id, self.password, email, name, "", "id", True, False, False, at, at, at)

    # Vendors ---------------------------------------------------------------------------

    def vendors(self) -> None:
        rng, n = self.rng, self.sizes.vendors
        nibs = rng.sample(range(10**12, 10**13), n)
        npwp_heads = rng.sample(range(10**7, 10**8), n)
        forms = [f for f in LEGAL_FORMS for _ in range(f[2])]
        city_names = [c for c, w in CITIES for _ in range(w)]
        self.vendor_status: list[str] = [""] * (n + 1)
        self.vendor_umk: list[bool] = [False] * (n + 1)
        self.vendor_kbli: list[list[int]] = [[] for _ in range(n + 1)]
        self.vendor_owner: list[int] = [0] * (n + 1)
        first_user = len(self.users) + 1
        rows, owners = [], []
        for v in range(1, n + 1):
            bench = v == 1
            legal, prefix, _ = forms[0 if bench else rng.randrange(len(forms))]
            name = BENCH_VENDOR_NAME if bench else self.vendor_name(prefix)
            capital, sales = self.amounts(bench)
            scale = vendor_rules.business_scale(capital=capital, annual_sales=sales)
            basis = vendor_rules.scale_basis(capital=capital, annual_sales=sales)
            draw = rng.random()
            status = VendorStatus.VERIFIED if bench or draw < 0.85 else (
                VendorStatus.PENDING if draw < 0.95 else VendorStatus.REJECTED
            )  # fmt: skip
            kblis = list(range(len(CATALOGUE))) if bench else self.vendor_lines()
            created = self.now - timedelta(days=rng.uniform(60, 1400))
            self.vendor_status[v] = status
            self.vendor_umk[v] = vendor_rules.is_umk(scale)
            self.vendor_kbli[v] = kblis
            owner = first_user + v - 1
            self.vendor_owner[v] = owner
            head = f"{npwp_heads[v - 1]:08d}"
            legacy = f"{head}{vendor_rules.luhn_check_digit(head)}{rng.randrange(100, 999)}000"
            rows.append((
                v, name, legal, f"{nibs[v - 1]}", f"0{legacy}", False,
                sorted({CATALOGUE[k].kbli for k in kblis}),
                f"Jl. {rng.choice(STREETS)} No. {rng.randrange(1, 300)}, {rng.choice(AREAS)}",
                rng.choice(city_names), "DKI Jakarta", f"08{rng.randrange(10**9, 10**10)}",
                capital, sales, scale, basis, status,
                "Dokumen NIB tidak sesuai dengan nama usaha." if status == "rejected" else "",
                created + timedelta(days=3) if status == "verified" else None,
                1 if status != "pending" else None, created,
            ))  # fmt: skip
            email = BENCH_VENDOR_EMAIL if bench else f"pemilik.{v}@{DOMAIN}"
            owners.append((owner, email, self.person()))
        self.load.copy(User, [
            "password", "email", "full_name", "phone", "language", "is_active", "is_staff",
            "is_superuser", "date_joined", "last_login", "email_verified_at",
        ], self.users_rows(owners), "accounts_user")  # fmt: skip
        self.load.copy(Officer, ["user", "opd", "position", "created_at"], (
            (*row, self.now - timedelta(days=800)) for row in self.officer_rows
        ))  # fmt: skip
        self.load.copy(Vendor, [
            "name", "legal_form", "nib", "npwp", "npwp_check_digit_confirmed", "kbli_codes",
            "address", "city", "province", "phone", "capital", "annual_sales", "scale",
            "scale_basis", "status", "rejection_reason", "verified_at", "verified_by",
            "created_at", "rating_count",  # 0: no contract rated yet, no averages
        ], ((*row, 0) for row in rows))  # fmt: skip
        self.load.copy(VendorMember, ["user", "vendor", "role", "created_at"], (
            (v, self.vendor_owner[v], v, MemberRole.OWNER, self.now - timedelta(days=700))
            for v in range(1, n + 1)
        ))  # fmt: skip

    def vendor_name(self, prefix: str) -> str:
        rng = self.rng
        words = f"{rng.choice(NAME_WORDS)} {rng.choice(TRADE_WORDS)}"
        if rng.random() < 0.4:
            words += f" {rng.choice(AREAS)}"
        return f"{prefix} {words}"

    def amounts(self, bench: bool) -> tuple[Decimal, Decimal | None]:
        """Capital and annual sales: mostly micro, then small; a few medium and large."""
        rng = self.rng
        draw = 0.7 if bench else rng.random()
        if draw < 0.62:
            capital, sales = rng.uniform(20e6, 1e9), rng.uniform(60e6, 2e9)
        elif draw < 0.9:
            capital, sales = rng.uniform(1.01e9, 5e9), rng.uniform(2.01e9, 15e9)
        elif draw < 0.97:
            capital, sales = rng.uniform(5.01e9, 10e9), rng.uniform(15.01e9, 50e9)
        else:
            capital, sales = rng.uniform(10.01e9, 80e9), rng.uniform(50.01e9, 400e9)
        with_sales = bench or rng.random() < 0.8
        return _money(capital, 1_000_000), _money(sales, 1_000_000) if with_sales else None

    def vendor_lines(self) -> list[int]:
        first = self.rng.randrange(len(CATALOGUE))
        lines = {first}
        while self.rng.random() < 0.45 and len(lines) < 3:
            lines.add(self.rng.randrange(len(CATALOGUE)))
        return sorted(lines)

    # Products and certificates -------------------------------------------------------

    def products(self) -> None:
        """Every vendor has one product; the rest go to vendors by a heavy-tailed weight."""
        rng, n = self.rng, self.sizes.vendors
        extra = max(0, self.sizes.products - n - (len(CATALOGUE) - 1))
        weights = [rng.paretovariate(1.3) for _ in range(n)]
        total = sum(weights)
        counts = [1 + int(w / total * extra) for w in weights]
        counts[0] = len(CATALOGUE)  # the bench vendor: one product of every catalogue line
        for k in rng.choices(range(1, n), k=max(0, self.sizes.products - sum(counts))):
            counts[k] += 1
        self.product_vendor: list[int] = [0]
        self.product_line: list[int] = [0]
        self.product_name: list[str] = [""]
        self.vendor_products: dict[tuple[int, int], list[int]] = {}
        rows = []
        for v, count in enumerate(counts, 1):
            kblis = self.vendor_kbli[v]
            brand = f"{rng.choice(NAME_WORDS)}{rng.choice(('', ' Jaya', ' Prima', ' Asli'))}"
            for k in range(count):
                p = len(self.product_vendor)
                index = kblis[k % len(kblis)] if v == 1 else rng.choice(kblis)
                line = CATALOGUE[index]
                name = f"{rng.choice(line.names)} {rng.choice(('', 'premium ', 'standar '))}"
                name = f"{name}tipe {chr(65 + k % 26)}{k // 26 or ''}".replace("  ", " ")
                price = _money(math.exp(rng.uniform(math.log(line.low), math.log(line.high))))
                created = self.now - timedelta(days=rng.uniform(30, 1200))
                self.product_vendor.append(v)
                self.product_line.append(index)
                self.product_name.append(name)
                self.vendor_products.setdefault((v, index), []).append(p)
                rows.append((
                    p, v, name, f"{name} buatan {self.vendor_city_word()} untuk kebutuhan OPD.",
                    line.kbli, line.unit, price, brand, f"{line.kbli}-{k + 1:03d}",
                    f"Sesuai SNI; {line.unit} standar.", "", line.food, rng.random() > 0.03,
                    created, created,
                ))  # fmt: skip
        self.product_active = {row[0] for row in rows if row[12]}
        self.load.copy(Product, [
            "vendor", "name", "description", "kbli", "unit", "unit_price", "brand",
            "model_type", "specification", "hs_code", "is_food", "is_active", "created_at",
            "updated_at",
        ], rows)  # fmt: skip

    def vendor_city_word(self) -> str:
        return f"UMKM {self.rng.choice(AREAS)}"

    def tkdn_certificates(self) -> None:
        """Certificates of verified vendors' products: mostly verified, some expiring, some
        expired, a few pending or rejected. Some products carry an older expired one too."""
        rng = self.rng
        self.certs: list[Cert] = [Cert("", ZERO, ZERO, self.today, self.today, "")]
        self.product_certs: dict[int, list[int]] = {}
        verified = [
            p for p in range(1, len(self.product_vendor))
            if self.vendor_status[self.product_vendor[p]] == VendorStatus.VERIFIED
        ]  # fmt: skip
        bench = [p for p in verified if self.product_vendor[p] == 1]
        others = [p for p in verified if self.product_vendor[p] != 1]
        target = self.sizes.tkdn - 2 * len(bench)
        rows, links = [], []
        for p in bench:
            for issued, years, status in (
                (date(2023, 3, 1), 3, CertificateStatus.EXPIRED),
                (date(2026, 2, 15), 5, CertificateStatus.VERIFIED),
            ):
                self.cert(rows, links, [p], issued, years, status, tkdn=rng.uniform(45, 80))
        chosen = rng.sample(others, min(len(others), int(target * 1.6)))
        chosen.sort()
        k = 0
        while len(self.certs) - 1 < self.sizes.tkdn and k < len(chosen):
            group = [chosen[k]]
            v = self.product_vendor[chosen[k]]
            k += 1
            while k < len(chosen) and self.product_vendor[chosen[k]] == v and rng.random() < 0.4:
                group.append(chosen[k])
                k += 1
            draw = rng.random()
            if draw < 0.12:
                # an older certificate that ran out, and its renewal
                old = self.today - timedelta(days=rng.randrange(3 * 365 + 30, 5 * 365))
                self.cert(rows, links, group, old, 3, CertificateStatus.EXPIRED)
                if len(self.certs) - 1 < self.sizes.tkdn:
                    renewed = old + timedelta(days=3 * 365 + rng.randrange(-20, 200))
                    self.cert(rows, links, group, min(renewed, self.today), 5, "verified")
                continue
            issued = self.today - timedelta(days=rng.randrange(5, 5 * 365))
            status = (
                CertificateStatus.VERIFIED if draw < 0.9
                else CertificateStatus.PENDING if draw < 0.96
                else CertificateStatus.REJECTED
            )  # fmt: skip
            years = 5 if issued.year >= 2025 else 3
            if status == CertificateStatus.VERIFIED and issued + timedelta(days=365 * years) < (
                self.today
            ):
                status = CertificateStatus.EXPIRED
            self.cert(rows, links, group, issued, years, status)
        self.load.copy(TKDNCertificate, [
            "vendor", "number", "tkdn_pct", "bmp_pct", "issued_on", "expires_on", "basis",
            "file", "status", "rejection_reason", "verified_at", "verified_by",
            "expiry_reminder_sent_at", "created_at",
        ], rows)  # fmt: skip
        self.load.link(TKDNCertificate.products.through, "tkdncertificate", "product", links)
        for certs in self.product_certs.values():
            certs.sort(key=lambda c: (self.certs[c].issued, c), reverse=True)

    def cert(self, rows, links, group, issued, years, status, tkdn: float | None = None) -> None:
        rng = self.rng
        c = len(self.certs)
        tkdn_pct = Decimal(tkdn if tkdn is not None else rng.triangular(8, 92, 45)).quantize(CENT)
        bmp = Decimal(rng.uniform(0, 15)).quantize(CENT) if rng.random() < 0.7 else ZERO
        bmp = min(bmp, Decimal(100) - tkdn_pct)
        expires = issued + timedelta(days=365 * years)
        number = f"{c}/SJ-IND.8/TKDN/{issued.month}/{issued.year}"
        self.certs.append(Cert(number, tkdn_pct, bmp, issued, expires, status))
        vendor = self.product_vendor[group[0]]
        checked = status in (CertificateStatus.VERIFIED, CertificateStatus.EXPIRED)
        rows.append((
            c, vendor, number, tkdn_pct, bmp, issued, expires,
            TKDNBasis.SELF_DECLARED if rng.random() < 0.15 else TKDNBasis.LVI,
            f"tkdn/scale-{c}.pdf", status,
            "Nilai TKDN tidak sesuai hasil verifikasi LVI." if status == "rejected" else "",
            _at(issued + timedelta(days=4)) if checked else None,
            1 if status != "pending" else None, None, _at(issued + timedelta(days=1)),
        ))  # fmt: skip
        for p in group:
            links.append((c, p))
            self.product_certs.setdefault(p, []).append(c)

    def halal_certificates(self) -> None:
        """Most food products of verified vendors are halal-certified, issued before 2024."""
        rng = self.rng
        rows, links = [], []
        self.product_halal: dict[int, str] = {}
        numbers = rng.sample(range(10**15, 10**16), len(self.product_vendor) // 4 + 10)
        food = [
            p for p in range(1, len(self.product_vendor))
            if CATALOGUE[self.product_line[p]].food
            and self.vendor_status[self.product_vendor[p]] == VendorStatus.VERIFIED
        ]  # fmt: skip
        k = 0
        while k < len(food):
            v = self.product_vendor[food[k]]
            group = [food[k]]
            k += 1
            while k < len(food) and self.product_vendor[food[k]] == v:
                group.append(food[k])
                k += 1
            if v != 1 and rng.random() < 0.25:
                continue
            h = len(rows) + 1
            number = f"ID{numbers[h]}"
            issued = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 1000))
            scheme = HalalScheme.SELF_DECLARE if self.vendor_umk[v] else HalalScheme.REGULER
            expires = issued + timedelta(days=4 * 365) if rng.random() < 0.2 else None
            if expires is not None and expires < date(2026, 12, 31):
                expires = date(2027, 1, 1) + timedelta(days=rng.randrange(0, 400))
            rows.append((
                h, v, number, scheme, issued, expires, f"halal/scale-{h}.pdf",
                CertificateStatus.VERIFIED, "", _at(issued + timedelta(days=3)), 1, None,
                _at(issued),
            ))  # fmt: skip
            for p in group:
                links.append((h, p))
                self.product_halal[p] = number
        self.load.copy(HalalCertificate, [
            "vendor", "number", "scheme", "issued_on", "expires_on", "file", "status",
            "rejection_reason", "verified_at", "verified_by", "expiry_reminder_sent_at",
            "created_at",
        ], rows)  # fmt: skip
        self.load.link(HalalCertificate.products.through, "halalcertificate", "product", links)

    def local_content(self, p: int, submitted: date, closing: date, sealed: bool):
        """The certificate a bid would have frozen: the newest one verified at submission and
        valid on the closing day (expired ones were verified back then)."""
        for c in self.product_certs.get(p, ()):
            cert = self.certs[c]
            usable = (CertificateStatus.VERIFIED,) if sealed else ("verified", "expired")
            if cert.status in usable and cert.issued <= submitted and cert.expires >= closing:
                return cert
        return None

    # Packages --------------------------------------------------------------------------

    def packages(self) -> None:
        """Three fiscal years of packages; the special ones (HOT, EVAL) first, in OPD 1."""
        rng, n = self.rng, self.sizes.packages
        self.pkgs: list[Pkg] = []
        self.item_rows: list[tuple] = []
        self.package_rows: list[list] = []
        n_open = max(3, n * 5 // 100)
        n_draft = max(1, n * 2 // 100)
        n_recent = max(3, n * 4 // 100)
        self.special_package(HOT_RUP_CODE, CATALOGUE[13], Status.EVALUATION, 5, 2_500_000_000)
        self.special_package(
            EVAL_RUP_CODE, CATALOGUE[5], Status.CLOSED, self.sizes.eval_items, 20_000_000_000
        )
        for k in range(n - 2):
            if k < n_open:
                closes = self.now + timedelta(days=rng.uniform(1, 21), hours=rng.randrange(8))
                opens = self.now - timedelta(days=rng.uniform(1, 10))
                status, year = Status.ANNOUNCED, 2026
            elif k < n_open + n_draft:
                opens = self.now + timedelta(days=rng.uniform(3, 30))
                closes = opens + timedelta(days=rng.uniform(7, 21))
                status, year = Status.DRAFT, 2026 if rng.random() < 0.5 else 2027
            elif k < n_open + n_draft + n_recent:
                closes = self.now - timedelta(days=rng.uniform(1, 20))
                opens = closes - timedelta(days=rng.uniform(7, 21))
                status = rng.choice((Status.EVALUATION, Status.OBJECTION, Status.AWARDED))
                year = 2026
            else:
                year = rng.choice((2024, 2025, 2026))
                last = min(date(year, 12, 10), self.today - timedelta(days=45))
                first = date(year, 1, 20)
                closes = _at(first + timedelta(days=rng.randrange((last - first).days)), 16)
                opens = closes - timedelta(days=rng.uniform(7, 21))
                draw = rng.random()
                status = (
                    Status.CONTRACTED if draw < 0.88
                    else Status.CANCELLED if draw < 0.94
                    else Status.FAILED
                )  # fmt: skip
            opd = self.opd_ids[min(len(self.opd_ids) - 1, int(rng.paretovariate(0.8)) - 1)]
            opd = rng.choice(self.opd_ids) if rng.random() < 0.6 else opd
            line = CATALOGUE[rng.choice(GOODS_LINES) if rng.random() < 0.7 else
                             rng.randrange(len(CATALOGUE))]  # fmt: skip
            self.package(opd, f"{year % 100}{len(self.pkgs) + 1:07d}", year, line, status,
                         opens, closes)  # fmt: skip

    def special_package(self, code: str, line: Line, status: str, items: int, value: int) -> None:
        closes = self.now - timedelta(days=2)
        self.package(1, code, 2026, line, status, closes - timedelta(days=14), closes,
                     items=items, value=value, method=Method.TENDER)  # fmt: skip
        pkg = self.pkgs[-1]
        pkg.min_tkdn, pkg.halal, pkg.pdn, pkg.preference = None, False, True, Decimal(25)
        row = self.package_rows[-1]
        row[10], row[11], row[12], row[14] = True, None, False, Decimal(25)

    def package(self, opd, code, year, line, status, opens, closes, *, items=0, value=0,
                method="") -> None:  # fmt: skip
        rng = self.rng
        p = len(self.pkgs) + 1
        items = items or (rng.choice((1, 1, 2, 2, 3, 4, 5)) if line.category == "goods" else 1)
        value = value or min(5e10, max(1.5e7, rng.lognormvariate(math.log(4e8), 1.4)))
        hps = ZERO
        item_list = []
        for position in range(1, items + 1):
            price = _money(math.exp(rng.uniform(math.log(line.low), math.log(line.high))))
            quantity = Decimal(max(1, int(value / items / float(price))))
            item_id = len(self.item_rows) + 1
            name = line.names[(position - 1) % len(line.names)]
            self.item_rows.append((item_id, p, position, f"{name}, spesifikasi terlampir",
                                   line.kbli, quantity, line.unit, price))  # fmt: skip
            item_list.append((item_id, quantity, price))
            hps += quantity * price
        hps = hps.quantize(CENT)
        pagu = max(hps, _money(float(hps) * rng.uniform(1.0, 1.15), 1000))
        ceiling = procurement_rules.DIRECT_PROCUREMENT_MAX[line.category]
        if not method:
            small = (Method.DIRECT_PROCUREMENT,) * 6 + (Method.E_PURCHASING,) * 3
            large = (Method.TENDER,) * 6 + (Method.QUICK_TENDER,) * 2 + (Method.E_PURCHASING,) * 2
            method = rng.choice((small if hps <= ceiling else large) + (Method.DIRECT_APPOINTMENT,))
        exception = ""
        if pagu <= procurement_rules.RESERVATION_CEILING and rng.random() < 0.03:
            exception = "Pekerjaan butuh sertifikasi dan garansi yang belum dimiliki usaha kecil."
        reserved = procurement_rules.reserved_for_small_business(
            pagu=pagu, exception_reason=exception
        )
        goods = line.category == Category.GOODS
        preference = Decimal(rng.choice((25, 25, 25, 25, 15, 0))) if goods else ZERO
        draw = rng.random()
        min_tkdn = Decimal(25) if draw < 0.12 else Decimal(40) if draw < 0.15 else None
        min_tkdn = min_tkdn if goods else None
        pdn = goods or line.category == Category.CONSTRUCTION
        pkg = Pkg(p, opd, line, status, opens, closes, reserved, min_tkdn, line.food, hps,
                  line.category, pdn, preference, item_list)  # fmt: skip
        self.pkgs.append(pkg)
        title = f"{line.package} {OPD_NAMES[opd - 1]} tahun anggaran {year}"
        self.package_rows.append([
            p, opd, code, title[:250], f"Pengadaan {line.package.lower()} untuk kebutuhan "
            f"kegiatan {year}.", year, line.category, method, pagu, hps, pdn, min_tkdn,
            line.food, exception, preference, "hea_2021", opens, closes, status, None, None,
            None, "", None, "", self.ppk_of[opd], opens - timedelta(days=3), reserved, False,
        ])  # fmt: skip

    # Bids ------------------------------------------------------------------------------

    def pools(self) -> None:
        """Verified vendors by catalogue line: who may bid, all and small businesses only."""
        self.pool_all: dict[int, list[int]] = {}
        self.pool_umk: dict[int, list[int]] = {}
        self.pool_halal: dict[int, list[int]] = {}
        for (v, index), products in self.vendor_products.items():
            if v == 1 or self.vendor_status[v] != VendorStatus.VERIFIED:
                continue
            if not any(p in self.product_active for p in products):
                continue
            self.pool_all.setdefault(index, []).append(v)
            if self.vendor_umk[v]:
                self.pool_umk.setdefault(index, []).append(v)
            if CATALOGUE[index].food and any(p in self.product_halal for p in products):
                self.pool_halal.setdefault(index, []).append(v)

    def bid_counts(self) -> list[int]:
        """Bids per package: many on tenders, few on direct purchases, none on drafts and on
        packages cancelled before closing or failed for lack of bids; the total is fixed."""
        rng, sizes = self.rng, self.sizes
        raw = []
        for pkg, row in zip(self.pkgs, self.package_rows, strict=True):
            method = row[7]
            if pkg.status in (Status.DRAFT, Status.CANCELLED, Status.FAILED) or pkg.id <= 2:
                raw.append(0.0)
            elif method in (Method.TENDER, Method.QUICK_TENDER):
                raw.append(rng.expovariate(1 / 14) + 2)
            elif method == Method.DIRECT_APPOINTMENT:
                raw.append(1.0)
            else:
                raw.append(rng.uniform(1, 4))
        budget = sizes.bids - sizes.hot_bids - sizes.eval_bids
        factor = budget / max(1.0, sum(raw))
        counts = [int(r * factor + rng.random()) if r else 0 for r in raw]
        counts = [max(1, c) if r else 0 for c, r in zip(counts, raw, strict=True)]
        counts[0], counts[1] = sizes.hot_bids, sizes.eval_bids
        return counts

    def bids(self) -> None:
        rng = self.rng
        counts = self.bid_counts()
        candidates = [k for k, c in enumerate(counts) if c and k >= 2]
        self.bench_packages = set(
            rng.sample(candidates, min(len(candidates), self.sizes.bench_vendor_bids))
        )
        self.bid_rows: list[tuple] = []
        self.line_rows: list[tuple] = []
        self.opened: dict[int, list[tuple]] = {}  # package -> figures of opened bids
        self.bench_bids = 0
        for k, pkg in enumerate(self.pkgs):
            if counts[k]:
                self.package_bids(pkg, counts[k], bench=k in self.bench_packages)

    def package_bids(self, pkg: Pkg, count: int, *, bench: bool) -> None:
        rng = self.rng
        index = CATALOGUE.index(pkg.line)
        pool = (self.pool_halal if pkg.halal else
                self.pool_umk if pkg.reserved else self.pool_all).get(index, [])  # fmt: skip
        if not pool:
            return
        candidates = [1] if bench else []
        candidates += rng.sample(pool, min(len(pool), count + count // 4 + 2))
        exact = pkg.id <= 2  # HOT and EVAL: exactly the asked number of opened bids
        sealed = pkg.status == Status.ANNOUNCED
        placed = 0
        for v in dict.fromkeys(candidates):
            if placed >= count + (1 if bench else 0):
                break
            if self.vendor_bids(pkg, v, sealed, exact=exact):
                placed += 1
                self.bench_bids += v == 1
        if exact and placed != count:
            raise RuntimeError(f"{pkg.id}: {placed} bidders of {count}; more vendors needed.")

    def vendor_bids(self, pkg: Pkg, v: int, sealed: bool, *, exact: bool = False) -> bool:
        """One vendor's versions on a package: usually one, sometimes a revision or a
        withdrawal. False when its products cannot meet the package's terms."""
        rng = self.rng
        window = (min(pkg.closes_at, self.now) - pkg.opens_at).total_seconds()
        first = pkg.opens_at + timedelta(seconds=rng.uniform(0.1, 0.7) * window)
        draw = rng.random()
        versions = 2 if draw < 0.06 else 1
        withdrawn = 0.06 <= draw < 0.08 and not exact
        lines = self.bid_lines(pkg, v, first, sealed)
        if lines is None:
            return False
        for version in range(1, versions + 1):
            at = (
                first
                if version == 1
                else first + timedelta(seconds=rng.uniform(0.1, 0.25) * window)
            )
            if version > 1:
                lines = self.bid_lines(pkg, v, at, sealed) or lines
            status = (
                BidStatus.SUPERSEDED if version < versions
                else BidStatus.WITHDRAWN if withdrawn else BidStatus.ACTIVE
            )  # fmt: skip
            self.bid_row(pkg, v, version, status, at, lines, sealed)
        return True

    def bid_lines(
        self, pkg: Pkg, v: int, at: datetime, sealed: bool
    ) -> list[sealing.BidContentLine] | None:
        rng = self.rng
        index = CATALOGUE.index(pkg.line)
        products = [p for p in self.vendor_products[(v, index)] if p in self.product_active]
        if pkg.halal:
            products = [p for p in products if p in self.product_halal]
        if not products:
            return None
        submitted, closing = at.astimezone(WIB).date(), pkg.closes_at.astimezone(WIB).date()
        factor = rng.uniform(0.82, 1.02)
        lines = []
        for item_id, quantity, price in pkg.items:
            p = products[item_id % len(products)]
            cert = self.local_content(p, submitted, closing, sealed)
            unit_price = _money(float(price) * factor * rng.uniform(0.97, 1.03)).quantize(CENT)
            tkdn, bmp = (cert.tkdn, cert.bmp) if cert else (Decimal("0"), Decimal("0"))
            lines.append(sealing.BidContentLine(
                item=item_id, product=p, product_name=self.product_name[p], kbli=pkg.line.kbli,
                quantity=quantity.quantize(CENT), unit_price=unit_price, tkdn_pct=tkdn,
                bmp_pct=bmp, certificate_number=cert.number if cert else "",
                certificate_expires_on=cert.expires if cert else None,
                halal_certificate_number=self.product_halal.get(p, ""),
            ))  # fmt: skip
        share = procurement_rules.bid_local_content(line.figures for line in lines)
        if pkg.min_tkdn is not None and share.tkdn_pct < pkg.min_tkdn:
            return None
        return lines

    def bid_row(self, pkg, v, version, status, at, lines, sealed) -> None:
        b = len(self.bid_rows) + 1
        content = sealing.BidContent.of_lines(
            package=pkg.id, vendor=v, version=version, submitted_at=at, lines=lines
        )
        opened = status == BidStatus.ACTIVE and not sealed
        opened_at = pkg.closes_at + timedelta(seconds=30) if opened else None
        stored = content.sealed_fields()
        self.bid_rows.append((
            b, pkg.id, v, version, status, self.vendor_owner[v], at, stored["sealed_content"],
            stored["sealing_key_id"], stored["receipt_hash"], opened_at,
            content.total if opened else None,
            content.tkdn_pct if opened else None, content.tkdn_bmp_pct if opened else None,
        ))  # fmt: skip
        if not opened:
            return
        for x in lines:
            self.line_rows.append((
                len(self.line_rows) + 1, b, x.item, x.product, x.product_name, x.quantity,
                x.unit_price, x.tkdn_pct, x.bmp_pct, x.certificate_number,
                x.certificate_expires_on, x.halal_certificate_number, x.kbli,
            ))  # fmt: skip
        self.opened.setdefault(pkg.id, []).append((b, content, at, v, lines))

    # The lifecycle: evaluation, winner, contract, and the audit trail ---------------------

    def lifecycle(self) -> None:
        self.run_rows: list[tuple] = []
        self.result_rows: list[tuple] = []
        self.event_rows: list[tuple] = []
        self.hot_run = 0
        for pkg, row in zip(self.pkgs, self.package_rows, strict=True):
            self.package_story(pkg, row)

    def event(self, pkg: Pkg, action, before, after, by, at, reason="") -> None:
        self.event_rows.append(
            (len(self.event_rows) + 1, pkg.id, action, before, after, by, at, reason)
        )

    def package_story(self, pkg: Pkg, row: list) -> None:
        rng, ppk = self.rng, self.ppk_of[pkg.opd]
        if pkg.status == Status.DRAFT:
            return
        self.event(pkg, Action.ANNOUNCE, Status.DRAFT, Status.ANNOUNCED, ppk, pkg.opens_at)
        if pkg.status == Status.ANNOUNCED:
            return
        if pkg.status == Status.CANCELLED:
            at = pkg.opens_at + (pkg.closes_at - pkg.opens_at) / 2
            reason = rng.choice(CANCEL_REASONS)
            row[24] = reason
            self.event(pkg, Action.CANCEL, Status.ANNOUNCED, Status.CANCELLED, ppk, at, reason)
            return
        self.event(pkg, Action.CLOSE, Status.ANNOUNCED, Status.CLOSED, None, pkg.closes_at)
        opened = self.opened.get(pkg.id, [])
        if not opened or pkg.status == Status.FAILED:
            row[18] = pkg.status = Status.FAILED
            at = pkg.closes_at + timedelta(days=1)
            self.event(pkg, Action.FAIL, Status.CLOSED, Status.FAILED, ppk, at, FAIL_REASON)
            return
        if pkg.status == Status.CLOSED:  # EVAL: opened, waiting for its evaluation
            return
        self.event(pkg, Action.EVALUATE, Status.CLOSED, Status.EVALUATION, None, pkg.closes_at)
        run = len(self.run_rows) + 1
        started = pkg.closes_at + timedelta(seconds=40)
        if pkg.id == 1:  # HOT: evaluated by the real service once loaded
            self.hot_run = run
            self.run_rows.append((run, pkg.id, evaluation.RULE_VERSION, "hea_2021",
                                  pkg.preference, None, RunStatus.QUEUED, 0, "", started, None,
                                  None, 0, False))  # fmt: skip
            return
        # A package past its evaluation was ranked with every verdict in: a final ranking.
        final = pkg.status != Status.EVALUATION
        self.run_rows.append((run, pkg.id, evaluation.RULE_VERSION, "hea_2021", pkg.preference,
                              None, RunStatus.SUCCEEDED, 100, "", started, started,
                              started + timedelta(seconds=2), 1, final))  # fmt: skip
        winner = self.results(pkg, run, opened)
        if winner is None:
            row[18] = pkg.status = Status.FAILED
            at = pkg.closes_at + timedelta(days=2)
            reason = "Tidak ada penawaran yang memenuhi syarat."
            self.event(pkg, Action.FAIL, Status.EVALUATION, Status.FAILED, ppk, at, reason)
            return
        self.award(pkg, row, winner, ppk)

    def award(self, pkg: Pkg, row: list, winner: tuple, ppk: int) -> None:
        rng = self.rng
        age = (self.now - pkg.closes_at).total_seconds() / 86400
        if pkg.status == Status.AWARDED and age < 6:
            pkg.status = Status.OBJECTION
        if pkg.status == Status.EVALUATION:
            return
        if pkg.status == Status.OBJECTION:
            announced = self.now - timedelta(days=rng.uniform(0.05, min(4.5, age * 0.9)))
        else:
            announced = pkg.closes_at + timedelta(days=rng.uniform(0.2, min(7, age - 5.5)))
        ends = announced + timedelta(days=procurement_rules.OBJECTION_DAYS)
        row[18], row[19], row[20] = pkg.status, ends, winner[0]
        self.event(pkg, Action.ANNOUNCE_WINNER, Status.EVALUATION, Status.OBJECTION, ppk,
                   announced)  # fmt: skip
        if pkg.status == Status.OBJECTION:
            return
        awarded = min(ends + timedelta(days=rng.uniform(0.1, 3)), self.now - timedelta(hours=1))
        row[21] = winner[1].total
        self.event(pkg, Action.AWARD, Status.OBJECTION, Status.AWARDED, ppk, awarded)
        if pkg.status == Status.AWARDED:
            return
        signed = awarded + timedelta(days=rng.uniform(1, 10))
        row[22] = f"{pkg.id:06d}/KTR/{self.opd_short[pkg.opd]}/{row[5]}"
        row[23] = signed.astimezone(WIB).date()
        self.event(pkg, Action.CONTRACT, Status.AWARDED, Status.CONTRACTED, ppk, signed)

    def results(self, pkg: Pkg, run: int, opened: list[tuple]) -> tuple | None:
        """Rank the opened bids with the rule core, as the evaluation service does; the bids
        meet every snapshot check by construction. Returns the winner's figures."""
        # The run package_story wrote, unsaved: its terms as the evaluation service reads them.
        terms = EvaluationRun(
            package=Package(category=pkg.category, hps=pkg.hps, pdn=pkg.pdn),
            formula="hea_2021", max_preference_pct=pkg.preference,
        ).terms()  # fmt: skip
        figures = [
            evaluation.BidFigures.of_shares(
                b,
                price=content.total,
                tkdn_pct=content.tkdn_pct,
                tkdn_bmp_pct=content.tkdn_bmp_pct,
                submitted_at=at,
            )
            for b, content, at, _v, _lines in opened
        ]
        by_id = {str(b): (b, content, lines) for b, content, _at, _v, lines in opened}
        winner = None
        for ranked in evaluation.rank_bids(figures, terms):
            b, content, lines = by_id[ranked.bid_id]
            snapshot = procurement_services.certificates_used([
                (b, x.item, x.product_name, x.tkdn_pct, x.bmp_pct, x.certificate_number,
                 x.certificate_expires_on, x.halal_certificate_number, pkg.halal)
                for x in lines
            ])  # fmt: skip
            self.result_rows.append((
                len(self.result_rows) + 1, run, b, ranked.eligible, ranked.tier, ranked.kp,
                ranked.hea.quantize(procurement_services.HEA_PLACES), ranked.rank,
                json.dumps([r.as_dict() for r in ranked.reason_codes]), json.dumps(snapshot),
                "[]", "[]",
            ))  # fmt: skip
            if ranked.rank == 1:
                winner = (b, content)
        return winner

    def contracts(self) -> None:
        """The contracted packages' contracts, BASTs, invoices and payments (in SQL from the
        rows loaded: seeding.scale_contracts)."""
        started = time.monotonic()
        written = scale_contracts.fill(today=self.today, umk_scales=vendor_rules.UMK_SCALES)
        for table, count in written.items():
            self.load.counts[table] = self.load.counts.get(table, 0) + count
            self.report(f"  {table:<40} {count:>10,} rows {time.monotonic() - started:7.1f} s")

    def write_procurement(self) -> None:
        load = self.load
        load.copy(Package, [
            "opd", "rup_code", "title", "description", "fiscal_year", "category", "method",
            "pagu", "hps", "pdn", "min_tkdn_pct", "halal_required",
            "reservation_exception_reason", "max_preference_pct", "evaluation_formula",
            "opens_at", "closes_at", "status", "objection_ends_at", "winner", "contract_value",
            "contract_number", "contract_signed_on", "cancel_reason", "created_by", "created_at",
            "reserved_for_small_business", "items_optional",
        ], (tuple(row) for row in self.package_rows))  # fmt: skip
        load.copy(PackageItem, [
            "package", "position", "description", "kbli", "quantity", "unit", "hps_unit_price",
        ], self.item_rows)  # fmt: skip
        load.copy(PackageEvent, ["package", "action", "from_status", "to_status", "by", "at",
                                 "reason"], self.event_rows)  # fmt: skip
        load.copy(Bid, [
            "package", "vendor", "version", "status", "submitted_by", "submitted_at",
            "sealed_content", "sealing_key_id", "receipt_hash", "opened_at", "price", "tkdn_pct",
            "tkdn_bmp_pct",
        ], self.bid_rows)  # fmt: skip
        load.copy(BidLine, [
            "bid", "item", "product", "product_name", "quantity", "unit_price", "tkdn_pct",
            "bmp_pct", "certificate_number", "certificate_expires_on",
            "halal_certificate_number", "product_kbli",
        ], self.line_rows)  # fmt: skip
        load.copy(EvaluationRun, [
            "package", "rule_version", "formula", "max_preference_pct", "requested_by",
            "status", "progress", "error", "created_at", "started_at", "finished_at", "attempts",
            "final",
        ], self.run_rows)  # fmt: skip
        load.copy(EvaluationResult, [
            "run", "bid", "eligible", "tier", "kp", "hea", "rank", "reasons", "snapshot",
            "corrections", "flags",
        ], self.result_rows)  # fmt: skip

    # Business matching -----------------------------------------------------------------

    def matching(self) -> None:
        """One event in scheduling: buyers, exhibitors with certified products, two days of
        sixteen slots, and accepted requests waiting for the scheduler."""
        load, sizes = self.load, self.sizes
        n_buyers = sizes.participants * 4 // 5
        n_exhibitors = sizes.participants - n_buyers
        tables = max(1, n_exhibitors)
        days = [self.today + timedelta(days=10), self.today + timedelta(days=11)]
        load.copy(Event, [
            "name", "venue", "description", "status", "registration_opens_at",
            "registration_closes_at", "slot_minutes", "tables", "booth_per_exhibitor",
            "exhibitor_capacity", "max_meetings_per_participant", "request_expiry_hours",
            "suggestions_computed_at", "published_at", "created_by", "created_at",
        ], [(1, EVENT_NAME, "Balai Kota DKI Jakarta, Blok G",
             "Temu bisnis skala penuh antara pembeli OPD dan produsen bersertifikat TKDN.",
             EventStatus.SCHEDULING, self.now - timedelta(days=40), self.now - timedelta(days=3),
             30, tables, False, n_exhibitors, 32, 72, None, None, 1,
             self.now - timedelta(days=45))])  # fmt: skip
        load.copy(EventDay, ["event", "day", "starts", "ends"],
                  [(n, 1, d, clock(8), clock(16, 30)) for n, d in enumerate(days, 1)])  # fmt: skip
        load.copy(EventBreak, ["event", "label", "starts", "ends"],
                  [(1, 1, "Ishoma", clock(12), clock(12, 30))])  # fmt: skip
        slots = matching_rules.slot_times(
            [matching_rules.DayHours(d, clock(8), clock(16, 30)) for d in days],
            minutes=30, breaks=[matching_rules.Break(clock(12), clock(12, 30))], tz=WIB,
        )  # fmt: skip
        load.copy(Slot, ["event", "starts_at", "ends_at"],
                  [(n, 1, a.astimezone(UTC), b.astimezone(UTC))
                   for n, (a, b) in enumerate(slots, 1)])  # fmt: skip
        self.participants(n_buyers, n_exhibitors)

    def exhibitable(self, v: int) -> list[int]:
        """Active products with a TKDN certificate verified and valid today."""
        return [
            p
            for index in self.vendor_kbli[v]
            for p in self.vendor_products.get((v, index), ())
            if p in self.product_active
            and any(self.valid_today(c) for c in self.product_certs.get(p, ()))
        ]

    def valid_today(self, c: int) -> bool:
        cert = self.certs[c]
        return cert.status == CertificateStatus.VERIFIED and cert.expires >= self.today

    def participants(self, n_buyers: int, n_exhibitors: int) -> None:
        rng, load, sizes = self.rng, self.load, self.sizes
        registered = self.now - timedelta(days=20)
        rows, products, needs = [], [], []
        buyers = []
        for officer, user, _opd in self.officers[:n_buyers]:
            pid = len(rows) + 1
            rows.append((pid, 1, ParticipantKind.BUYER, None, officer, ParticipantStatus.ACCEPTED,
                         "", "", None, user, registered, registered))  # fmt: skip
            line = CATALOGUE[rng.choice(GOODS_LINES)]
            needs.append((pid, pid, f"{line.package} untuk rencana pengadaan 2027", line.kbli,
                          _money(rng.uniform(5e7, 3e9), 1_000_000), 2027, None, line.food,
                          registered))  # fmt: skip
            buyers.append((pid, user))
        exhibitors = []
        order = [1, *rng.sample(range(2, sizes.vendors + 1), sizes.vendors - 1)]
        for v in order:
            if len(exhibitors) >= n_exhibitors:
                break
            if self.vendor_status[v] != VendorStatus.VERIFIED:
                continue
            shown = self.exhibitable(v)
            if not shown:
                continue
            pid = len(rows) + 1
            owner, decided = self.vendor_owner[v], registered + timedelta(days=2)
            rows.append((pid, 1, ParticipantKind.EXHIBITOR, v, None, ParticipantStatus.ACCEPTED,
                         "Kami membawa contoh produk ke stan.", "", len(exhibitors) + 1, owner,
                         registered, decided))  # fmt: skip
            products += [(pid, p) for p in shown[:5]]
            exhibitors.append((pid, self.vendor_owner[v]))
        load.copy(Participant, [
            "event", "kind", "vendor", "officer", "status", "note", "rejection_reason", "booth",
            "registered_by", "created_at", "decided_at",
        ], rows)  # fmt: skip
        load.link(Participant.products.through, "participant", "product", products)
        load.copy(Need, [
            "participant", "description", "kbli", "estimated_budget", "fiscal_year", "package",
            "is_food", "created_at",
        ], needs)  # fmt: skip
        self.meetings(buyers, exhibitors)

    def meetings(self, buyers: list[tuple], exhibitors: list[tuple]) -> None:
        """Accepted requests, every pair once, at most 32 per participant; the load spread
        evenly so that all of them can be placed."""
        rng, total = self.rng, self.sizes.requests
        load = dict.fromkeys((b for b, _u in buyers), 0)
        rows = []
        for k, (exhibitor, exhibitor_user) in enumerate(exhibitors):
            share = total // len(exhibitors) + (1 if k < total % len(exhibitors) else 0)
            free = [b for b in buyers if load[b[0]] < 32]
            for buyer, buyer_user in rng.sample(free, min(share, 32, len(free))):
                load[buyer] += 1
                by_buyer = rng.random() < 0.6
                asked = self.now - timedelta(days=rng.uniform(3, 15))
                rows.append((
                    len(rows) + 1, 1, buyer, exhibitor, buyer if by_buyer else None,
                    RequestedBy.BUYER if by_buyer else RequestedBy.EXHIBITOR,
                    buyer_user if by_buyer else exhibitor_user,
                    "Kami ingin membahas spesifikasi, harga dan jadwal pengiriman.", "",
                    MeetingStatus.ACCEPTED, 1, asked, asked + timedelta(hours=72),
                    asked + timedelta(hours=rng.uniform(1, 48)), None, None, False, "",
                ))  # fmt: skip
        self.load.copy(Meeting, [
            "event", "buyer", "exhibitor", "need", "requested_by", "requested_by_user", "note",
            "response_note", "status", "priority", "created_at", "expires_at", "responded_at",
            "slot", "table", "locked", "unscheduled_reason",
        ], rows)  # fmt: skip


# Checks and the whole run ------------------------------------------------------------------

LOADED_APPS = ("accounts", "vendors", "procurement", "contracts", "matching")


def _loaded_models() -> list[type[models.Model]]:
    from django.apps import apps

    found = []
    for label in LOADED_APPS:
        for model in apps.get_app_config(label).get_models():
            found.append(model)
            found += [f.remote_field.through for f in model._meta.local_many_to_many]
    return found


def check_foreign_keys(report: Callable[[str], None]) -> None:
    """Every foreign key of the loaded tables, checked in bulk: one anti-join per key."""
    started = time.monotonic()
    checked = 0
    with connection.cursor() as cursor:
        for model in _loaded_models():
            for fk in model._meta.concrete_fields:
                if not fk.is_relation:
                    continue
                child, column = model._meta.db_table, fk.column
                parent = fk.related_model._meta.db_table
                target = fk.target_field.column
                cursor.execute(
                    f"SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL AND NOT "
                    f"EXISTS (SELECT 1 FROM {parent} p WHERE p.{target} = c.{column})"
                )
                broken = cursor.fetchone()[0]
                if broken:
                    raise AssertionError(f"{child}.{column}: {broken} rows point nowhere")
                checked += 1
    report(
        f"  {'foreign keys checked':<40} {checked:>10,} keys {time.monotonic() - started:7.1f} s"
    )


def reset_sequences(tables: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
                "HAVING max(id) IS NOT NULL"
            )


def _listing_backfill() -> str:
    import importlib

    return importlib.import_module("vendors.migrations.0003_product_listed_local_content").BACKFILL


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def seed(sizes: Sizes, seed: int = 2026, report: Callable[[str], None] = print) -> dict[str, int]:
    """Fill an empty database; returns the row count of every table loaded."""
    started = time.monotonic()
    seeder = Seeder(sizes, seed, report)
    triggers_off = _is_superuser()
    with transaction.atomic():
        if triggers_off:
            # Foreign keys are checked in bulk below instead of by a trigger per row.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        steps = [
            ("people and vendors", lambda: (seeder.opds_and_officers(), seeder.vendors())),
            ("products", seeder.products),
            ("certificates", lambda: (seeder.tkdn_certificates(), seeder.halal_certificates())),
            ("packages", seeder.packages),
            ("bids", lambda: (seeder.pools(), seeder.bids())),
            ("evaluations", seeder.lifecycle),
            ("writing procurement", seeder.write_procurement),
            ("contracts", seeder.contracts),
            ("business matching", seeder.matching),
        ]
        for label, step in steps:
            step_started = time.monotonic()
            step()
            report(f"{label}: {time.monotonic() - step_started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
            if triggers_off:
                # The directory's listing triggers were off too: list the rows loaded as
                # vendors migration 0003 lists those already there.
                cursor.execute(_listing_backfill())
        check_foreign_keys(report)
        reset_sequences(seeder.load.counts)
        step_started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        report(f"analyze: {time.monotonic() - step_started:.1f} s")
        step_started = time.monotonic()
        procurement_services.evaluation_execute(run_id=seeder.hot_run)
        report(f"HOT evaluated by the evaluation service: {time.monotonic() - step_started:.1f} s")
    report(f"bench vendor bids: {seeder.bench_bids}")
    report(f"total: {time.monotonic() - started:.1f} s")
    return dict(seeder.load.counts)
