"""Demo packages in every state of the lifecycle, with bids that went through the real
services (sealed, then opened at closing). Only the deadlines are moved into the past, as if
time had passed. Loading twice changes nothing."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from procurement import sealing, services
from procurement.evaluation import is_unreasonably_low
from procurement.models import OPD, Bid, BidStatus, Package, RunStatus
from procurement.rules import Category, Method, Status
from vendors import services as vendor_services
from vendors.models import Product

DOMAIN = "demo.p3dn.id"


@dataclass(frozen=True)
class DemoPackage:
    rup_code: str
    opd: str
    title: str
    category: str
    method: str
    pagu: int
    items: tuple[tuple[str, str, int, str, int], ...]  # description, KBLI, qty, unit, HPS price
    bidders: tuple[tuple[str, tuple[str, ...], float], ...]  # vendor key, products, price factor
    state: str  # the state to bring it to
    halal: bool = False
    min_tkdn: str | None = None
    description: str = ""
    reservation_exception: str = ""


PACKAGES = [
    DemoPackage(
        "48210001",
        "Disdik",
        "Pengadaan meja dan kursi belajar SD negeri wilayah Jakarta Timur",
        Category.GOODS,
        Method.TENDER,
        2_600_000_000,
        (
            ("Meja belajar siswa kayu jati", "31001", 1500, "unit", 1_200_000),
            ("Kursi kuliah lipat", "31001", 500, "unit", 700_000),
        ),
        (("mebel", ("Meja belajar siswa kayu jati", "Kursi kuliah lipat"), 0.95),),
        Status.ANNOUNCED,
        min_tkdn="25",
        description="Untuk 30 SD negeri; dikirim ke sekolah masing-masing paling lambat Juli.",
    ),
    DemoPackage(
        "48210002",
        "Disdik",
        "Seragam batik dan seragam sekolah untuk siswa penerima KJP",
        Category.GOODS,
        Method.TENDER,
        1_400_000_000,
        (("Seragam sekolah/batik", "14111", 4000, "stel", 300_000),),
        (
            ("seragam", ("Seragam sekolah SD putih merah",), 0.48),
            ("batik", ("Seragam batik ASN lengan panjang",), 0.95),
        ),
        Status.EVALUATION,
    ),
    DemoPackage(
        "48210003",
        "Dinas PPKUKM",
        "Konsumsi makanan bergizi temu bisnis P3DN Batch XII",
        Category.GOODS,
        Method.DIRECT_PROCUREMENT,
        150_000_000,
        (
            ("Paket makanan olahan tempe", "10792", 2000, "kg", 20_000),
            ("Kerupuk udang", "10799", 800, "kg", 90_000),
        ),
        (
            ("tahu", ("Tempe kedelai lokal untuk makanan bergizi sekolah", "Tahu putih"), 0.9),
            ("udang", ("Kerupuk udang premium", "Kerupuk udang premium"), 0.97),
        ),
        Status.OBJECTION,
        halal=True,
    ),
    DemoPackage(
        "48210004",
        "Dinkes",
        "Tempat tidur pasien dan kursi roda untuk puskesmas kecamatan",
        Category.GOODS,
        Method.TENDER,
        3_000_000_000,
        (
            ("Tempat tidur pasien tiga engkol", "32502", 150, "unit", 15_000_000),
            ("Kursi roda standar", "32502", 200, "unit", 2_300_000),
        ),
        (("alkes", ("Tempat tidur pasien tiga engkol", "Kursi roda standar"), 0.96),),
        Status.CONTRACTED,
        reservation_exception="Alat kesehatan wajib berizin edar Kemenkes dan bergaransi "
        "purnajual 5 tahun; belum ada usaha kecil terdaftar yang memenuhinya.",
    ),
    DemoPackage(
        "48210008",
        "Disdik",
        "Kursi lipat dan lemari arsip untuk kantor UPT Disdik",
        Category.GOODS,
        Method.DIRECT_PROCUREMENT,
        150_000_000,
        (
            ("Kursi lipat kantor", "31001", 100, "unit", 700_000),
            ("Lemari arsip besi 4 laci", "31001", 20, "unit", 3_000_000),
        ),
        (("mebel", ("Kursi kuliah lipat", "Lemari arsip besi 4 laci"), 0.9),),
        Status.CONTRACTED,
    ),
    # Paid after the BAST (seeding/demo_payments.py): on time, and late.
    DemoPackage(
        "48210009",
        "Dinas PPKUKM",
        "Seragam batik panitia temu bisnis P3DN",
        Category.GOODS,
        Method.DIRECT_PROCUREMENT,
        90_000_000,
        (("Seragam batik lengan panjang", "14111", 150, "stel", 450_000),),
        (("batik", ("Seragam batik ASN lengan panjang",), 0.9),),
        Status.CONTRACTED,
    ),
    DemoPackage(
        "48210010",
        "Dinkes",
        "Kerupuk udang untuk makanan tambahan posyandu",
        Category.GOODS,
        Method.DIRECT_PROCUREMENT,
        30_000_000,
        (("Kerupuk udang", "10799", 300, "kg", 90_000),),
        (("udang", ("Kerupuk udang premium",), 0.95),),
        Status.CONTRACTED,
    ),
    DemoPackage(
        "48210005",
        "Disdik",
        "Tas kerja kulit untuk guru penggerak",
        Category.GOODS,
        Method.DIRECT_PROCUREMENT,
        180_000_000,
        (("Tas kerja kulit", "15121", 250, "buah", 700_000),),
        (),
        Status.DRAFT,
    ),
    DemoPackage(
        "48210006",
        "Dinkes",
        "Masker medis untuk posyandu",
        Category.GOODS,
        Method.DIRECT_PROCUREMENT,
        60_000_000,
        (("Masker medis 3 lapis", "32501", 1200, "kotak", 40_000),),
        (),
        Status.CANCELLED,
    ),
]

PPK_OF = {"Disdik": "ppk.disdik", "Dinkes": "ppk.dinkes", "Dinas PPKUKM": "ppk.ppkukm"}
# Who evaluates each OPD's bids: the pokja, or the pejabat pengadaan.
SELECTOR_OF = {
    "Disdik": "pokja.disdik",
    "Dinkes": "pengadaan.dinkes",
    "Dinas PPKUKM": "pengadaan.ppkukm",
}


def _user(local: str) -> User:
    return User.objects.select_related("officer", "vendor_membership__vendor").get(
        email=f"{local}@{DOMAIN}"
    )


def _make_past(package: Package) -> None:
    Package.objects.filter(pk=package.pk).update(
        opens_at=timezone.now() - timedelta(days=15), closes_at=timezone.now() - timedelta(days=1)
    )


def load() -> None:
    for demo in PACKAGES:
        opd = OPD.objects.get(short_name=demo.opd)
        if Package.objects.filter(opd=opd, rup_code=demo.rup_code).exists():
            continue
        _package(demo, opd)
    opd = OPD.objects.get(short_name="Disdik")
    if not Package.objects.filter(opd=opd, rup_code=SHOWCASE_RUP_CODE).exists():
        _evaluation_showcase(opd)
    if not Package.objects.filter(opd=opd, rup_code=BLACKLIST_RUP_CODE).exists():
        _blacklisted_bidder(opd)


def _evaluate_queued(package: Package) -> None:
    for run in package.evaluation_runs.filter(status=RunStatus.QUEUED).order_by("pk"):
        services.evaluation_execute(run_id=run.pk)  # here and now, as a worker would
    package.refresh_from_db()


def _pass_every_bid(package: Package, opd_short: str) -> None:
    """The pokja (or pejabat pengadaan) passes every opened bid and accepts each low price's
    clarification: the ranking becomes final."""
    selector = _user(SELECTOR_OF[opd_short])
    for bid in package.bids.filter(status=BidStatus.ACTIVE, opened_at__isnull=False):
        services.bid_verdict_record(package=package, bid=bid, by=selector, passed=True)
        if is_unreasonably_low(bid.price, package.hps):
            services.bid_clarification_record(
                package=package,
                bid=bid,
                by=selector,
                accepted=True,
                reason="Penyedia menunjukkan rincian biaya bahan dan upah yang wajar.",
            )
    _evaluate_queued(package)


def _package(demo: DemoPackage, opd: OPD) -> None:
    ppk = _user(PPK_OF[demo.opd])
    now = timezone.now()
    package = services.package_save(
        opd=opd,
        by=ppk,
        items=[
            services.ItemInput(desc, kbli, Decimal(qty), unit, Decimal(price))
            for desc, kbli, qty, unit, price in demo.items
        ],
        rup_code=demo.rup_code,
        title=demo.title,
        description=demo.description,
        fiscal_year=now.year,
        category=demo.category,
        method=demo.method,
        pagu=Decimal(demo.pagu),
        pdn=True,
        min_tkdn_pct=Decimal(demo.min_tkdn) if demo.min_tkdn else None,
        halal_required=demo.halal,
        reservation_exception_reason=demo.reservation_exception,
        max_preference_pct=Decimal("25") if demo.category == Category.GOODS else Decimal("0"),
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=12),
    )
    if demo.state == Status.DRAFT:
        return
    services.package_announce(package=package, by=ppk)
    if demo.state == Status.CANCELLED:
        services.package_cancel(
            package=package, by=ppk, reason="Kebutuhan sudah dipenuhi dari stok gudang Dinkes."
        )
        return
    bids = []
    items = list(package.items.order_by("position"))
    for key, product_names, factor in demo.bidders:
        owner = _user(key)
        vendor = owner.vendor_membership.vendor
        lines = []
        for item, name in zip(items, product_names, strict=True):
            product = Product.objects.get(vendor=vendor, name=name)
            price = (item.hps_unit_price * Decimal(str(factor))).quantize(Decimal("1"))
            lines.append(services.LineInput(item, product, price))
        bids.append(services.bid_submit(package=package, vendor=vendor, by=owner, lines=lines))
    if demo.state == Status.ANNOUNCED:
        return
    _make_past(package)
    services.packages_close_due()  # opens the bids and queues their evaluation
    _evaluate_queued(package)
    if demo.state == Status.EVALUATION:
        return
    _pass_every_bid(package, demo.opd)
    services.package_winner_announce(package=package, by=ppk)
    if demo.state == Status.OBJECTION:
        return
    Package.objects.filter(pk=package.pk).update(objection_ends_at=now - timedelta(hours=1))
    package.refresh_from_db()
    services.package_award(package=package, by=ppk)
    services.package_contract(
        package=package,
        by=ppk,
        number=f"0{demo.rup_code[-2:]}/KTR/{demo.opd.upper()}/{now.year}",
        signed_on=timezone.localdate(),
    )


# The evaluation showcase: one closed package whose bids show each step of the Pokja's
# evaluation (Perlem LKPP 12/2021) to an officer: a bid sealed by the earlier form with a
# short volume, corrected to the document's (and then under 80% of the HPS, its clarification
# still to record, so the ranking stays provisional); an unbalanced unit price (passed, first
# for now); a bid above the HPS that falls; and a product of another KBLI, failed on a
# technical requirement.
SHOWCASE_RUP_CODE = "48210007"
SHOWCASE_HPS_ITEMS = (
    ("Seragam olahraga SMP", "14111", 100, "stel", 300_000),
    ("Topi sekolah", "14111", 100, "buah", 40_000),
)
# vendor key, product per item, unit price per item
SHOWCASE_BIDS = (
    ("garmen", ("Seragam olahraga SMP katun", "Topi sekolah bordir"), (255_000, 45_000)),
    (
        "batik",
        ("Seragam batik ASN lengan panjang", "Seragam batik ASN lengan panjang"),
        (320_000, 39_000),
    ),
    (
        "seragam",
        ("Seragam sekolah SD putih merah", "Seragam sekolah SD putih merah"),
        (145_000, 35_000),
    ),
    ("tas", ("Tas kerja kulit sapi ASN", "Tas kerja kulit sapi ASN"), (260_000, 30_000)),
)
SHORT_VOLUME = ("seragam", Decimal("50.00"))  # the earlier form let the volume be typed


def _evaluation_showcase(opd: OPD) -> None:
    ppk = _user(PPK_OF["Disdik"])
    pokja = _user(SELECTOR_OF["Disdik"])
    now = timezone.now()
    package = services.package_save(
        opd=opd,
        by=ppk,
        items=[
            services.ItemInput(desc, kbli, Decimal(qty), unit, Decimal(price))
            for desc, kbli, qty, unit, price in SHOWCASE_HPS_ITEMS
        ],
        requirements=[
            services.RequirementInput("administrative", "Surat penawaran ditandatangani"),
            services.RequirementInput(
                "technical", "Spesifikasi setiap rincian sesuai dokumen pemilihan"
            ),
            services.RequirementInput("technical", "Bahan katun combed 30s, ukuran S sampai XL"),
            services.RequirementInput("technical", "Dikirim paling lambat 30 hari kalender"),
        ],
        rup_code=SHOWCASE_RUP_CODE,
        title="Seragam olahraga dan topi sekolah untuk SMP negeri",
        description="Contoh evaluasi bertahap: koreksi aritmatika, evaluasi administrasi dan "
        "teknis, evaluasi harga.",
        fiscal_year=now.year,
        category=Category.GOODS,
        method=Method.DIRECT_PROCUREMENT,
        pagu=Decimal("40000000"),
        pdn=True,
        min_tkdn_pct=None,
        halal_required=False,
        items_optional=False,
        reservation_exception_reason="",
        max_preference_pct=Decimal("25"),
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=12),
    )
    services.package_announce(package=package, by=ppk)
    items = list(package.items.order_by("position"))
    bids = {}
    for key, product_names, prices in SHOWCASE_BIDS:
        owner = _user(key)
        vendor = owner.vendor_membership.vendor
        lines = [
            services.LineInput(item, Product.objects.get(vendor=vendor, name=name), Decimal(price))
            for item, name, price in zip(items, product_names, prices, strict=True)
        ]
        bids[key] = services.bid_submit(package=package, vendor=vendor, by=owner, lines=lines)
        if key == SHORT_VOLUME[0]:
            _reseal_with_volume(bids[key], line=0, quantity=SHORT_VOLUME[1])
    _make_past(package)
    services.packages_close_due()
    _evaluate_queued(package)
    bids = {key: Bid.objects.get(pk=bid.pk) for key, bid in bids.items()}  # opened now
    services.bid_verdict_record(package=package, bid=bids["garmen"], by=pokja, passed=True)
    services.bid_verdict_record(package=package, bid=bids["batik"], by=pokja, passed=True)
    services.bid_verdict_record(package=package, bid=bids["seragam"], by=pokja, passed=True)
    specification = package.requirements.get(text__startswith="Spesifikasi")
    services.bid_verdict_record(
        package=package,
        bid=bids["tas"],
        by=pokja,
        passed=False,
        failed_requirements=[specification.pk],
        reason="Tas kerja kulit yang ditawarkan bukan seragam olahraga maupun topi sekolah.",
    )
    _evaluate_queued(package)


def _reseal_with_volume(bid: Bid, *, line: int, quantity: Decimal) -> None:
    """As the portal's earlier bid form sealed it: with the volume the bidder typed (the
    form now shows the document's volume and the service never takes another). Opening
    corrects it to the document's volume, keeping the unit price."""
    content = sealing.unseal(bid.sealed_content)
    content["lines"][line]["quantity"] = str(quantity)
    content["total"] = str(
        sum(Decimal(x["quantity"]) * Decimal(x["unit_price"]) for x in content["lines"])
    )
    Bid.objects.filter(pk=bid.pk).update(**sealing.sealed_fields(content))


# A bidder blacklisted after it bid: CV Kaos Olahraga Ciracas offers the better TKDN and the
# lower price, but Dinas PPKUKM blacklists it before the closing; at evaluation its bid falls
# at qualification with the decision's reason and period, and CV Garmen Cakung Mandiri ranks
# first (a final ranking: the PPK may announce it).
BLACKLIST_RUP_CODE = "48210012"
BLACKLIST_REASON = (
    "Wanprestasi pada kontrak pengadaan kaos olahraga 2025: barang tidak diserahkan sampai "
    "batas waktu dan denda keterlambatan tidak dibayar."
)
BLACKLIST_REFERENCE = "KEP-DH/PPKUKM/014/2026"


def _blacklisted_bidder(opd: OPD) -> None:
    ppk = _user(PPK_OF["Disdik"])
    now = timezone.now()
    package = services.package_save(
        opd=opd,
        by=ppk,
        items=[
            services.ItemInput("Kaos olahraga SD", "14111", Decimal(300), "potong", Decimal(90_000))
        ],
        rup_code=BLACKLIST_RUP_CODE,
        title="Kaos olahraga untuk SD negeri wilayah Jakarta Timur",
        description="Contoh kualifikasi: penawaran penyedia yang masuk daftar hitam gugur.",
        fiscal_year=now.year,
        category=Category.GOODS,
        method=Method.DIRECT_PROCUREMENT,
        pagu=Decimal("30000000"),
        pdn=True,
        min_tkdn_pct=None,
        halal_required=False,
        reservation_exception_reason="",
        max_preference_pct=Decimal("25"),
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=12),
    )
    services.package_announce(package=package, by=ppk)
    (item,) = package.items.all()
    for key, name, price in (
        ("kaos", "Kaos olahraga SD katun", 80_000),
        ("garmen", "Seragam olahraga SMP katun", 85_000),
    ):
        owner = _user(key)
        vendor = owner.vendor_membership.vendor
        product = Product.objects.get(vendor=vendor, name=name)
        services.bid_submit(
            package=package,
            vendor=vendor,
            by=owner,
            lines=[services.LineInput(item, product, Decimal(price))],
        )
    vendor_services.blacklisting_create(
        vendor=_user("kaos").vendor_membership.vendor,
        by=_user("admin"),
        reason=BLACKLIST_REASON,
        decision_reference=BLACKLIST_REFERENCE,
        starts_on=timezone.localdate() - timedelta(days=3),
        ends_on=timezone.localdate() + timedelta(days=362),
    )
    _make_past(package)
    services.packages_close_due()
    _evaluate_queued(package)
    _pass_every_bid(package, "Disdik")
